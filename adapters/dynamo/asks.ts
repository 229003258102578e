// Asks in the single table (`C#<customerId>` / `ASK#<occurrenceId>`): the claim (a conditional put that makes every
// milestone occurrence produce one ask whatever reruns and retries), the status updates after sending, and the
// suppression lookup the batch does once for all its addresses.
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Ask } from '../../core/schemas/ask.js';
import type { AskWriter, ClaimResult, SuppressionReader } from '../../core/workflow/ports.js';
import { customerPk, type ReadStats } from './customers.js';
import { isConditionFailed } from './conditions.js';
import { askSk, asksByCampaignGsi, suppressionPk, SUPPRESSION_SK } from './keys.js';

export { askSk, suppressionPk, SUPPRESSION_SK };

/** Emails compare case-insensitively; phone numbers are E.164 already. */
export function normalizeAddress(address: string): string {
  return address.includes('@') ? address.trim().toLowerCase() : address.trim();
}

/** A claim older than this may be taken over: the worker that held it crashed (longer than a ProcessBatch timeout). */
export const CLAIM_LEASE_MS = 10 * 60_000;

export class DynamoAskStore implements AskWriter, SuppressionReader {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };
  /** Keys asked for in suppression lookups (found or not: each costs read capacity). */
  suppressionKeysRequested = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Write the ask if this occurrence has no decided ask yet. An existing ask that was skipped or deferred is decided
   * again (the reason may have passed); a claim whose worker vanished (older than the lease) is taken over;
   * anything else (sent, held out, failed, a live claim) wins and the caller counts `already_asked`.
   */
  async claim(ask: Ask, claimToken: string): Promise<ClaimResult> {
    const leaseCutoff = new Date(Date.parse(ask.updatedAt) - CLAIM_LEASE_MS).toISOString();
    try {
      await this.doc.send(
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
          },
          ConditionExpression: 'attribute_not_exists(PK) OR #s IN (:skipped, :deferred) OR (#s = :claimed AND #u < :cutoff)',
          ExpressionAttributeNames: { '#s': 'status', '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':skipped': 'skipped', ':deferred': 'deferred', ':claimed': 'claimed', ':cutoff': leaseCutoff },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (isConditionFailed(error)) return { claimed: false };
      throw error;
    }
  }

  /** Finish a claimed ask (sent or failed); only the holder of the claim may. */
  async complete(customerId: string, occurrenceId: string, claimToken: string, fields: Partial<Ask> & Pick<Ask, 'status' | 'updatedAt'>): Promise<void> {
    const names: Record<string, string> = { '#s': 'status', '#t': 'claimToken' };
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
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: customerPk(customerId), SK: askSk(occurrenceId) },
        UpdateExpression: `SET ${sets.join(', ')} REMOVE #t`,
        ConditionExpression: '#s = :claimed AND #t = :token',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async get(customerId: string, occurrenceId: string): Promise<Ask | undefined> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(customerId), SK: askSk(occurrenceId) }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    this.readStats.itemsRead += 1;
    return out.Item as Ask;
  }

  /** Which of `addresses` are suppressed: one BatchGet per 100 addresses. */
  async suppressed(addresses: string[]): Promise<Set<string>> {
    const unique = [...new Set(addresses.map(normalizeAddress))];
    const found = new Set<string>();
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((a) => ({ PK: suppressionPk(a), SK: SUPPRESSION_SK }));
      this.suppressionKeysRequested += keys.length;
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error(`BatchGetItem left ${keys.length} suppression keys unprocessed`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        this.readStats.gets += 1;
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'PK' } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          this.readStats.itemsRead += 1;
          found.add(String(item.PK).slice(2));
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return found;
  }

  /** Put an address on the suppression list (tests and the local runtime; the SES/SMS event handlers own this in production). */
  async suppress(address: string, reason: string, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: suppressionPk(address), SK: SUPPRESSION_SK, entity: 'suppression', reason, at } }));
  }
}
