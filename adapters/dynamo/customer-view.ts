// One customer's whole story, read with Queries and Gets only (never a Scan): the profile and ask history
// (`C#<id>` / `PROFILE`), every ask (`ASK#…`), threshold milestones (`MS#…`), referral codes (`CODE#…`) and what
// happened under each code (`R#<code>`), the reward ledger (`L#<id>`) and the suppression state of the addresses.
// `asks customer` and `asks explain` read it; other views (a consent ledger, an export) can add sections.
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Ask } from '../../core/schemas/ask.js';
import type { LedgerEntry } from '../../core/schemas/ledger.js';
import { customerPk, CustomerStore, PROFILE_SK, type StoredCustomer } from './customers.js';
import { isSuppressed } from './suppressions.js';
import { ReferralActivityReader, type ReferralActivity } from './status.js';
import { askSk, codePointerSk, ledgerPk, milestoneSk } from './keys.js';
import { CONSENT_SK_PREFIX } from './consents.js';
import { ConsentChange } from '../../core/privacy.js';
import type { Keyring } from '../../core/ports.js';
import type { PendingMilestone } from '../../core/workflow/ports.js';

/** An ask as stored, with whatever reward quote it carries (the fields beyond the Ask schema are kept as they are). */
export type StoredAsk = Ask & Record<string, unknown>;

/** A threshold milestone record as stored: the pending reader's shape (core/workflow/ports.ts), plus its state. */
export type StoredMilestone = Omit<PendingMilestone, 'customerId'> & { pendingDay?: string; handledAt?: string };

export interface CustomerView {
  customerId: string;
  profile: StoredCustomer;
  /** The channels the customer said yes to, the global switches and which addresses are on the suppression list. */
  consents: { channels: Record<string, boolean>; optOut: boolean; doNotAsk: boolean; suppressed: string[]; ledger: ConsentChange[] };
  asks: StoredAsk[];
  milestones: StoredMilestone[];
  referrals: Array<{ campaignId: string; code: string; activity: ReferralActivity & { truncated: boolean } }>;
  rewards: LedgerEntry[];
}

export class CustomerViewReader {
  private readonly customers: CustomerStore;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** With the keyring, suppressions kept as keyed hashes count too. */
    private readonly keyring?: Keyring,
  ) {
    this.customers = new CustomerStore(doc, tableName);
  }

  private async queryAll(pk: string, skPrefix?: string): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :sk)' : 'PK = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':sk': skPrefix } : {}) },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Everything about one customer; undefined when there is no profile. */
  async read(customerId: string): Promise<CustomerView | undefined> {
    const profile = await this.customers.get(customerId);
    if (!profile) return undefined;
    const items = await this.queryAll(customerPk(customerId));
    const strip = (item: Record<string, unknown>): Record<string, unknown> => {
      const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, claimToken: _t, entity: _e, ...rest } = item;
      return rest;
    };
    const asks = items.filter((i) => String(i.SK).startsWith(askSk(''))).map((i) => strip(i) as StoredAsk);
    asks.sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
    const milestones = items
      .filter((i) => String(i.SK).startsWith(milestoneSk('', '').slice(0, 3)))
      .map((i) => ({ ...(strip(i) as Omit<StoredMilestone, 'sk'>), sk: String(i.SK) }) as StoredMilestone);
    const codes = items.filter((i) => String(i.SK).startsWith(codePointerSk(''))).map((i) => ({ campaignId: String(i.SK).slice(codePointerSk('').length), code: String(i.code) }));
    const reader = new ReferralActivityReader(this.doc, this.tableName);
    const referrals = [];
    for (const c of codes) referrals.push({ ...c, activity: await reader.activity(c.code) });
    const rewards = (await this.queryAll(ledgerPk(customerId))).map((i) => strip(i) as unknown as LedgerEntry);
    const addresses = [profile.email, profile.phone].filter((a): a is string => a !== undefined);
    const suppressed = [...(await isSuppressed(this.doc, this.tableName, addresses, this.keyring))];
    const ledger = items.filter((i) => String(i.SK).startsWith(CONSENT_SK_PREFIX)).flatMap((i) => {
      const parsed = ConsentChange.safeParse(i);
      return parsed.success ? [parsed.data] : [];
    });
    return {
      customerId,
      profile,
      consents: { channels: { ...profile.consents } as Record<string, boolean>, optOut: profile.optOut, doNotAsk: profile.doNotAsk, suppressed, ledger },
      asks,
      milestones,
      referrals,
      rewards,
    };
  }
}

export { PROFILE_SK };
