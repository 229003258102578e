// Erasure of one person (GDPR Art. 17), with Queries and Gets only: every item that holds the person's data is deleted
// or made pseudonymous, an erasure receipt is written and `referral.customer.erased` is published. What survives and
// in which form is documented in docs/privacy.md:
// - deleted: the whole customer partition `C#<id>` (profile with its subject id, asks, code pointers, milestones,
//   activity markers, send markers, inbox items, consent ledger, subject item), each code's partition `R#<code>`
//   (code, clicks with visitor ids, shares, leads, conversions), the phone and email pointers, the person's referee
//   claims, leads the person left as a friend (GSI1 `LE#<keyed email hash>`);
// - pseudonymized (the person becomes `anon_<hmac>`): ledger entries (moved from `L#<id>` to `L#<pseudonym>`, amounts
//   kept), hold and over-budget markers, review items, conversions in which the person was the friend, referee claims
//   in which the person was the advocate;
// - kept as a keyed hash: suppressions and opt-outs (`S#H#<hmac of the address>`), so a re-import is not messaged.
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { emailHashOf } from '../../core/conversions.js';
import type { Clock, EventPublisher, Keyring } from '../../core/ports.js';
import { ErasureReceipt, hashedSuppressionPk, pseudonymFor, type ConsentChange } from '../../core/privacy.js';
import { projectEvent } from '../../core/schemas/events.js';
import { consentItems } from './consents.js';
import {
  claimByCustomerGsi,
  claimKeys,
  codePk,
  conversionByCustomerGsi,
  customerPk,
  emailPointerKey,
  erasedPk,
  GSI1_INDEX,
  holdPk,
  holdSk,
  leadIndexKey,
  ledgerPk,
  outcomeKey,
  parkedKey,
  phonePointerKey,
  PROFILE_SK,
  receiptKey,
  REVIEW_PK,
  suppressionKey,
  SUPPRESSION_SK,
} from './keys.js';

export { receiptKey };

export interface ErasureDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  keyring: Keyring;
  clock: Clock;
  publisher: EventPublisher;
  /** Called with the erased id (a process-local subject cache forgets it). */
  onErased?: (customerId: string) => void;
}

type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };

const keyOf = (item: Item): Key => ({ PK: String(item.PK), SK: String(item.SK) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class CustomerEraser {
  constructor(private readonly deps: ErasureDeps) {}

  private async query(input: { pk: string; index?: string }): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.deps.doc.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          ...(input.index ? { IndexName: input.index, KeyConditionExpression: 'GSI1PK = :pk' } : { KeyConditionExpression: 'PK = :pk', ConsistentRead: true }),
          ExpressionAttributeValues: { ':pk': input.pk },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async get(key: Key): Promise<Item | undefined> {
    return (await this.deps.doc.send(new GetCommand({ TableName: this.deps.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  private async deleteAll(keys: Key[]): Promise<void> {
    const unique = [...new Map(keys.map((k) => [`${k.PK}\u0000${k.SK}`, k])).values()];
    for (let i = 0; i < unique.length; i += 25) {
      let requests = unique.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed`);
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
        const out = await this.deps.doc.send(new BatchWriteCommand({ RequestItems: { [this.deps.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.deps.tableName] ?? []) as typeof requests;
      }
    }
  }

  private async put(item: Item): Promise<void> {
    await this.deps.doc.send(new PutCommand({ TableName: this.deps.tableName, Item: item }));
  }

  /** The customer id behind an email address (the `M#<email>` pointer written at import), if any. */
  async customerIdByEmail(email: string): Promise<string | undefined> {
    const item = await this.get(emailPointerKey(email));
    return typeof item?.customerId === 'string' ? item.customerId : undefined;
  }

  /** The receipt of an earlier erasure of this id, if any. */
  async receipt(customerId: string): Promise<ErasureReceipt | undefined> {
    const item = await this.get(receiptKey(pseudonymFor(customerId, this.deps.keyring)));
    const parsed = item ? ErasureReceipt.safeParse(item) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  /**
   * Erase one person. Idempotent: erasing again finds nothing left and returns a fresh receipt with zero counts.
   * Returns undefined when the table holds nothing at all under this id and no earlier receipt exists.
   */
  async erase(customerId: string, requestedBy: string): Promise<ErasureReceipt | undefined> {
    const { keyring } = this.deps;
    const requestedAt = this.deps.clock.now().toISOString();
    const pseudonym = pseudonymFor(customerId, keyring);
    const byKind: Record<string, number> = {};
    const count = (kind: string, n = 1) => void (byKind[kind] = (byKind[kind] ?? 0) + n);
    let pseudonymized = 0;
    const toDelete: Key[] = [];
    const remove = (item: Item, kind = String(item.entity ?? 'item')) => {
      toDelete.push(keyOf(item));
      count(kind);
    };
    const swap = (v: unknown): unknown => (v === customerId ? pseudonym : v);
    /** Every string value equal to the id, anywhere in a nested value, becomes the pseudonym. */
    const swapDeep = <T>(v: T): T => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Set ? [...(x as Set<unknown>)] : x === customerId ? pseudonym : x))) as T;
    // Stored webhook outcomes (`IDEM#<key>`) of the person's conversions name them: pseudonymized, still answering replays.
    const outcomes = new Set<string>();
    const pseudonymizeOutcome = async (conv: Item): Promise<void> => {
      if (typeof conv.idempotencyKey !== 'string' || outcomes.has(conv.idempotencyKey)) return;
      outcomes.add(conv.idempotencyKey);
      const outcome = await this.get(outcomeKey(conv.idempotencyKey));
      if (outcome && JSON.stringify(outcome).includes(`"${customerId}"`)) {
        await this.put(swapDeep(outcome));
        pseudonymized += 1;
      }
    };

    // 1. The customer partition: everything under C#<id>.
    const own = await this.query({ pk: customerPk(customerId) });
    const previous = await this.get(receiptKey(pseudonym));
    if (own.length === 0 && (await this.query({ pk: ledgerPk(customerId) })).length === 0 && (await this.query({ pk: claimByCustomerGsi(customerId), index: GSI1_INDEX })).length === 0) {
      if (!previous) return undefined;
    }
    const profile = own.find((i) => i.SK === PROFILE_SK);
    const email = typeof profile?.email === 'string' ? profile.email : undefined;
    const phone = typeof profile?.phone === 'string' ? profile.phone : undefined;
    const codes = own.filter((i) => String(i.SK).startsWith('CODE#') && typeof i.code === 'string').map((i) => String(i.code));
    for (const item of own) remove(item);

    // 2. Each of the person's referral codes: code, clicks (visitor ids), shares, leads, conversions as advocate.
    const advocateClaims: Key[] = [];
    for (const code of codes) {
      for (const item of await this.query({ pk: codePk(code) })) {
        if (item.entity === 'conversion' && typeof item.campaignId === 'string' && typeof item.externalCustomerId === 'string') {
          advocateClaims.push(claimKeys(item.campaignId, item.externalCustomerId).byCustomer);
          await pseudonymizeOutcome(item);
        }
        remove(item);
      }
    }
    // Claims on friends this person referred keep the friend credited once, but name a pseudonym as the advocate.
    for (const key of advocateClaims) {
      const claim = await this.get(key);
      if (!claim || claim.advocateId !== customerId) continue;
      await this.put({ ...claim, advocateId: pseudonym });
      pseudonymized += 1;
      if (typeof claim.emailHash !== 'string' || typeof claim.campaignId !== 'string') continue;
      const byEmail = await this.get(claimKeys(claim.campaignId, String(claim.externalCustomerId), claim.emailHash).byEmail!);
      if (byEmail && byEmail.advocateId === customerId) {
        await this.put({ ...byEmail, advocateId: pseudonym });
        pseudonymized += 1;
      }
    }

    // 3. The person as a referred friend: conversions (pseudonymized), claims (deleted), leads left on landing pages.
    for (const conv of await this.query({ pk: conversionByCustomerGsi(customerId), index: GSI1_INDEX })) {
      const { GSI1PK: _a, GSI1SK: _b, ...rest } = conv;
      await this.put({ ...rest, externalCustomerId: pseudonym });
      pseudonymized += 1;
      await pseudonymizeOutcome(conv);
    }
    const friendClaims = await this.query({ pk: claimByCustomerGsi(customerId), index: GSI1_INDEX });
    for (const claim of friendClaims) {
      remove(claim, 'referee_claim');
      if (email && typeof claim.campaignId === 'string') {
        const byEmail = claimKeys(claim.campaignId, customerId, emailHashOf(email)).byEmail!;
        if (await this.get(byEmail)) {
          toDelete.push(byEmail);
          count('referee_claim_email');
        }
      }
    }
    if (email) for (const lead of await this.query({ pk: leadIndexKey(email, keyring), index: GSI1_INDEX })) remove(lead, 'lead');

    // 4. The ledger: entries move to L#<pseudonym> with the person replaced; amounts, states and times stay.
    const entries = await this.query({ pk: ledgerPk(customerId) });
    const friendSide: Array<{ advocateId: string }> = friendClaims.filter((c) => typeof c.advocateId === 'string').map((c) => ({ advocateId: String(c.advocateId) }));
    for (const entry of entries) {
      await this.put({ ...entry, PK: ledgerPk(pseudonym), advocateId: pseudonym, beneficiaryId: swap(entry.beneficiaryId) });
      toDelete.push(keyOf(entry));
      pseudonymized += 1;
      if (typeof entry.holdUntil === 'string' && typeof entry.rewardId === 'string') {
        const hold = { PK: holdPk(entry.holdUntil), SK: holdSk({ holdUntil: entry.holdUntil, advocateId: customerId, rewardId: entry.rewardId }) };
        const marker = await this.get(hold);
        if (marker) {
          await this.put({ ...marker, SK: holdSk({ holdUntil: entry.holdUntil, advocateId: pseudonym, rewardId: entry.rewardId }), advocateId: pseudonym });
          toDelete.push(hold);
        }
      }
      if (typeof entry.campaignId === 'string' && typeof entry.rewardId === 'string') {
        const over = parkedKey({ campaignId: entry.campaignId, advocateId: customerId, rewardId: entry.rewardId });
        const marker = await this.get(over);
        if (marker) {
          await this.put({ ...marker, ...parkedKey({ campaignId: entry.campaignId, advocateId: pseudonym, rewardId: entry.rewardId }), advocateId: pseudonym });
          toDelete.push(over);
        }
      }
    }
    // Rewards the person earned as a friend live in the advocate's ledger: the beneficiary becomes the pseudonym.
    for (const { advocateId } of new Map(friendSide.map((f) => [f.advocateId, f])).values()) {
      for (const entry of await this.query({ pk: ledgerPk(advocateId) })) {
        if (entry.beneficiaryId !== customerId) continue;
        await this.put({ ...entry, beneficiaryId: pseudonym });
        pseudonymized += 1;
      }
    }
    for (const review of await this.query({ pk: REVIEW_PK })) {
      if (review.advocateId !== customerId && review.refereeId !== customerId) continue;
      await this.put(swapDeep(review));
      pseudonymized += 1;
    }

    // 5. Pointers, and suppressions / opt-outs kept only as keyed hashes.
    const pointers: Key[] = [];
    if (phone) pointers.push(phonePointerKey(phone));
    if (email) pointers.push(emailPointerKey(email));
    for (const key of pointers) {
      const item = await this.get(key);
      if (item && item.customerId === customerId) remove(item, String(item.entity ?? 'pointer'));
    }
    const consents = (profile?.consents ?? {}) as Record<string, boolean | undefined>;
    const optedOut = profile?.optOut === true || profile?.doNotAsk === true;
    let suppressionsHashed = 0;
    for (const [address, channelOff] of [
      [email, consents.email === false],
      [phone, consents.sms === false],
    ] as Array<[string | undefined, boolean]>) {
      if (!address) continue;
      const plain = await this.get(suppressionKey(address));
      if (!plain && !optedOut && !channelOff) continue;
      const reason = typeof plain?.reason === 'string' ? plain.reason : 'unsubscribe';
      await this.put({ PK: hashedSuppressionPk(address, keyring), SK: SUPPRESSION_SK, entity: 'suppression', hashed: true, reason, at: typeof plain?.at === 'string' ? plain.at : requestedAt });
      if (plain) toDelete.push(keyOf(plain));
      suppressionsHashed += 1;
    }

    await this.deleteAll(toDelete);

    // 6. The receipt, the erasure's own consent entry (under the pseudonym), and the event.
    const completedAt = this.deps.clock.now().toISOString();
    const deleted = Object.values(byKind).reduce((a, b) => a + b, 0);
    const receipt: ErasureReceipt = { pseudonym, requestedAt, completedAt, requestedBy, deleted, pseudonymized, suppressionsHashed, byKind };
    await this.put({ ...receiptKey(pseudonym), entity: 'erasure_receipt', ...receipt, ...(previous ? { previousAt: previous.completedAt } : {}) });
    const erasureConsent: ConsentChange = { at: completedAt, source: 'erasure', channel: 'all', granted: false, note: suppressionsHashed > 0 ? 'opt-outs kept as keyed hashes' : 'erased' };
    for (const item of consentItems(pseudonym, [erasureConsent])) await this.put({ ...item, PK: erasedPk(pseudonym) });
    this.deps.onErased?.(customerId);
    await this.deps.publisher.publish([projectEvent('referral.customer.erased', { occurredAt: completedAt, pseudonym, deleted, pseudonymized })]);
    return receipt;
  }
}
