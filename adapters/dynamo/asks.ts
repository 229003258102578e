// Asks in the single table (`C#<customerId>` / `ASK#<occurrenceId>`): the claim (a conditional put that makes every
// milestone occurrence produce one ask whatever reruns and retries), the status updates after sending, and the
// suppression lookup the batch does once for all its addresses.
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Ask } from '../../core/schemas/ask.js';
import type { AskWriter, ClaimResult, DueAskReader, SuppressionReader } from '../../core/workflow/ports.js';
import { askDueAt, CLAIM_LEASE_MS } from '../../core/workflow/recovery.js';
import type { ReadStats } from './customers.js';
import { isConditionFailed } from './conditions.js';
import { askSk, asksByCampaignGsi, customerPk, DUE_ASKS_ATTRIBUTE, DUE_ASKS_INDEX, dueAskPartition, hourBucket, suppressionPk, SUPPRESSION_SK } from './keys.js';
import { findSuppressionKeys, suppressionKeys } from './suppressions.js';
import type { Keyring } from '../../core/ports.js';

export { askSk, CLAIM_LEASE_MS, suppressionPk, SUPPRESSION_SK };

/** The due-asks index attribute an ask carries in this state (absent: the ask needs no later run). */
function dueAskAttribute(ask: Pick<Ask, 'campaignId' | 'status' | 'deferredUntil' | 'updatedAt'> & Partial<Pick<Ask, 'reservation' | 'reservationExpiresAt'>>): string | undefined {
  const due = askDueAt(ask);
  return due === undefined ? undefined : dueAskPartition(ask.campaignId, hourBucket(due));
}

/** Emails compare case-insensitively; phone numbers are E.164 already. */
export function normalizeAddress(address: string): string {
  return address.includes('@') ? address.trim().toLowerCase() : address.trim();
}

export class DynamoAskStore implements AskWriter, SuppressionReader, DueAskReader {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };
  /** Keys asked for in suppression lookups (found or not: each costs read capacity). */
  suppressionKeysRequested = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** With the keyring, the suppression lookup also finds erased people's hashed opt-outs (`S#H#<hash>`). */
    private readonly keyring?: () => Promise<Keyring>,
  ) {}

  /**
   * Write the ask if this occurrence has no decided ask yet. An existing ask that was skipped or deferred is decided
   * again (the reason may have passed); a claim whose worker vanished (older than the lease) is taken over;
   * anything else (sent, held out, failed, a live claim) wins and the caller counts `already_asked`. `asks plan` applies
   * the same rule to the asks it reads (core/workflow/process.ts `decidedOutcome`): keep the two in step.
   */
  async claim(ask: Ask, claimToken: string): Promise<ClaimResult> {
    const leaseCutoff = new Date(Date.parse(ask.updatedAt) - CLAIM_LEASE_MS).toISOString();
    const due = dueAskAttribute(ask);
    try {
      const replaced = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: customerPk(ask.customerId),
            SK: askSk(ask.milestone.occurrenceId),
            entity: 'ask',
            GSI1PK: asksByCampaignGsi(ask.campaignId),
            GSI1SK: `${ask.milestone.occurredOn}#${ask.customerId}`,
            ...ask,
            claimToken,
            ...(due ? { [DUE_ASKS_ATTRIBUTE]: due } : {}),
          },
          // A stale claim with a send marker is not taken over: `settle` decides it by its marker.
          ConditionExpression: 'attribute_not_exists(PK) OR #s IN (:skipped, :deferred) OR (#s = :claimed AND #u < :cutoff AND attribute_not_exists(sendState))',
          ExpressionAttributeNames: { '#s': 'status', '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':skipped': 'skipped', ':deferred': 'deferred', ':claimed': 'claimed', ':cutoff': leaseCutoff },
          ReturnValues: 'ALL_OLD',
        }),
      ).then((out) => out.Attributes);
      const taken = replaced?.status === 'claimed' && replaced.reservation === 'open' && typeof replaced.reservedMinor === 'number' ? replaced.reservedMinor : 0;
      return { claimed: true, ...(taken > 0 ? { takenOverReservationMinor: taken } : {}) };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const existing = await this.get(ask.customerId, ask.milestone.occurrenceId);
      return { claimed: false, ...(existing ? { existing: existing.status } : {}), ...(existing?.executionId ? { existingExecutionId: existing.executionId } : {}), ...(existing?.batchId ? { existingBatchId: existing.batchId } : {}) };
    }
  }

  /**
   * Finish a claimed ask (sent, failed, deferred again); only the holder of the claim may. A deferred ask is filed
   * under its new due hour; any other status leaves the due-asks index.
   */
  async complete(customerId: string, occurrenceId: string, claimToken: string, fields: Partial<Ask> & Pick<Ask, 'status' | 'updatedAt'>): Promise<void> {
    const names: Record<string, string> = { '#s': 'status', '#t': 'claimToken', '#due': DUE_ASKS_ATTRIBUTE };
    const values: Record<string, unknown> = { ':claimed': 'claimed', ':token': claimToken };
    const sets: string[] = [];
    let n = 0;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      n += 1;
      names[`#f${n}`] = key;
      values[`:f${n}`] = value;
      sets.push(`#f${n} = :f${n}`);
    }
    const removes = ['#t'];
    if (fields.status === 'sent') {
      // The send marker on the ask (adapters/dynamo/ask-send-markers.ts) is recorded in the same update.
      sets.push('sendState = :sentState');
      values[':sentState'] = 'sent';
      removes.push('sendLease');
    }
    if (fields.status === 'deferred' && fields.campaignId === undefined) {
      // The campaign id is on the stored ask: read nothing, file by the deferral's hour under the same campaign prefix.
      sets.push(`#due = :due`);
      values[':due'] = `${await this.campaignOf(customerId, occurrenceId)}#${hourBucket(fields.deferredUntil ?? fields.updatedAt)}`;
    } else if (fields.status === 'deferred') {
      sets.push(`#due = :due`);
      values[':due'] = dueAskPartition(fields.campaignId!, hourBucket(fields.deferredUntil ?? fields.updatedAt));
    } else if (fields.reservationExpiresAt && fields.campaignId) {
      // Sent with its reservation open: a run gives it back when the attribution window ends without a conversion.
      sets.push(`#due = :due`);
      values[':due'] = dueAskPartition(fields.campaignId, hourBucket(fields.reservationExpiresAt));
    } else removes.push('#due');
    const update = (): UpdateCommand =>
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: customerPk(customerId), SK: askSk(occurrenceId) },
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression: '#s = :claimed AND #t = :token',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    // A sent message must not stay `sending` for want of one write (it would be settled "outcome unknown"): three
    // tries, 50 and 100 ms apart; a failed condition is final (somebody else settled the claim).
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.doc.send(update());
        return;
      } catch (error) {
        if (fields.status !== 'sent' || attempt >= 2 || isConditionFailed(error)) throw error;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async expireReservation(customerId: string, occurrenceId: string, at: string): Promise<number> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: customerPk(customerId), SK: askSk(occurrenceId) },
          UpdateExpression: 'SET reservation = :expired, reservationReleasedAt = :at REMOVE #due',
          ConditionExpression: 'reservation = :open',
          ExpressionAttributeNames: { '#due': DUE_ASKS_ATTRIBUTE },
          ExpressionAttributeValues: { ':open': 'open', ':expired': 'expired', ':at': at },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return typeof out.Attributes?.reservedMinor === 'number' ? out.Attributes.reservedMinor : 0;
    } catch (error) {
      if (isConditionFailed(error)) return 0;
      throw error;
    }
  }

  private async campaignOf(customerId: string, occurrenceId: string): Promise<string> {
    const ask = await this.get(customerId, occurrenceId);
    if (!ask) throw new Error(`ask ${customerId}~${occurrenceId} is gone`);
    return ask.campaignId;
  }

  /** One page of the asks filed under `<campaignId>#<YYYY-MM-DDTHH>` in the due-asks index. */
  async queryDueAsks(input: { partition: string; startKey?: Record<string, unknown>; limit: number }): Promise<{ items: Ask[]; lastKey?: Record<string, unknown> }> {
    this.readStats.queries += 1;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: DUE_ASKS_INDEX,
        KeyConditionExpression: '#d = :d',
        ExpressionAttributeNames: { '#d': DUE_ASKS_ATTRIBUTE },
        ExpressionAttributeValues: { ':d': input.partition },
        Limit: input.limit,
        ExclusiveStartKey: input.startKey,
      }),
    );
    const items = (out.Items ?? []).map((item) => {
      this.readStats.itemsRead += 1;
      return item as Ask;
    });
    return { items, ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
  }

  /**
   * Settle a claim whose worker died after writing its send marker (`sendState`): one conditional update, only while
   * the ask is still that claim (same `updatedAt`) with that marker. False when somebody settled it meanwhile.
   */
  async settle(stale: Pick<Ask, 'customerId' | 'milestone' | 'updatedAt' | 'sendState'>, fields: Partial<Ask> & Pick<Ask, 'status' | 'updatedAt'>): Promise<boolean> {
    const names: Record<string, string> = { '#s': 'status', '#u': 'updatedAt', '#due': DUE_ASKS_ATTRIBUTE };
    const values: Record<string, unknown> = { ':claimed': 'claimed', ':seen': stale.updatedAt, ':state': stale.sendState };
    const sets: string[] = [];
    Object.entries(fields).forEach(([key, value], n) => {
      if (value === undefined) return;
      names[`#f${n}`] = key;
      values[`:f${n}`] = value;
      sets.push(`#f${n} = :f${n}`);
    });
    const removes = ['claimToken', 'sendLease'];
    // Sent with its reservation open: filed for the end of its attribution window (the run gives it back then).
    if (fields.reservationExpiresAt && fields.campaignId) {
      sets.push('#due = :due');
      values[':due'] = dueAskPartition(fields.campaignId, hourBucket(fields.reservationExpiresAt));
    } else removes.push('#due');
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: customerPk(stale.customerId), SK: askSk(stale.milestone.occurrenceId) },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: '#s = :claimed AND #u = :seen AND sendState = :state',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return false;
    }
  }

  /**
   * The stored asks of these occurrences (missing ones are absent), keyed `<customerId>|<occurrenceId>`: one BatchGet
   * per 100 keys, unprocessed keys retried, consistent reads.
   */
  async getMany(keys: ReadonlyArray<{ customerId: string; occurrenceId: string }>): Promise<Map<string, Ask>> {
    const found = new Map<string, Ask>();
    const unique = [...new Map(keys.map((k) => [`${k.customerId}|${k.occurrenceId}`, { PK: customerPk(k.customerId), SK: askSk(k.occurrenceId) }])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Array<Record<string, unknown>> = unique.slice(i, i + 100);
      for (let round = 0; pending.length > 0; round += 1) {
        if (round > 8) throw new Error(`BatchGetItem left ${pending.length} asks unprocessed after ${round} attempts`);
        if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
        this.readStats.gets += 1;
        for (const item of out.Responses?.[this.tableName] ?? []) {
          this.readStats.itemsRead += 1;
          const ask = item as Ask;
          found.set(`${ask.customerId}|${ask.milestone.occurrenceId}`, ask);
        }
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return found;
  }

  async get(customerId: string, occurrenceId: string): Promise<Ask | undefined> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(customerId), SK: askSk(occurrenceId) }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    this.readStats.itemsRead += 1;
    return out.Item as Ask;
  }

  /** Which of `addresses` are suppressed (plain or keyed-hash form): one BatchGet per 100 keys. */
  async suppressed(addresses: string[]): Promise<Set<string>> {
    const keys = suppressionKeys(addresses, this.keyring ? await this.keyring() : undefined);
    this.suppressionKeysRequested += keys.size;
    const found = await findSuppressionKeys(this.doc, this.tableName, [...keys.keys()], (n) => {
      this.readStats.gets += 1;
      this.readStats.itemsRead += n;
    });
    return new Set([...found].map((pk) => keys.get(pk)!));
  }

  /** Put an address on the suppression list (tests and the local runtime; the SES/SMS event handlers own this in production). */
  async suppress(address: string, reason: string, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: suppressionPk(address), SK: SUPPRESSION_SK, entity: 'suppression', reason, at } }));
  }
}
