// The suppression list in the single table (`S#<normalized address>` / `SUPPRESSION`): written by the SES event and
// inbound SMS handlers, read (BatchGet) before sending so a bounced, complained or STOPped address is never used again.
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { normalizeAddress, type SuppressionRecord } from '../../core/suppression.js';
import { suppressionPk, SUPPRESSION_SK } from './keys.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The normalized addresses among `addresses` that are suppressed (BatchGet, 100 keys per call, unprocessed retried). */
export async function isSuppressed(doc: DynamoDBDocumentClient, tableName: string, addresses: string[]): Promise<Set<string>> {
  const unique = [...new Set(addresses.filter((a) => a.trim() !== '').map(normalizeAddress))];
  const found = new Set<string>();
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((a) => ({ PK: suppressionPk(a), SK: SUPPRESSION_SK }));
    for (let attempt = 0; keys.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error(`BatchGetItem left ${keys.length} suppression keys unprocessed`);
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: 'PK' } } }));
      for (const item of out.Responses?.[tableName] ?? []) found.add(String(item.PK).slice(2));
      keys = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
    }
  }
  return found;
}

export class SuppressionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Suppress an address. Idempotent: a redelivered event changes nothing but `lastAt`/`count`; the first reason and
   * time are kept (the reason an address first went bad is the useful one).
   */
  async suppress(record: SuppressionRecord): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: suppressionPk(record.address), SK: SUPPRESSION_SK },
        UpdateExpression:
          'SET entity = :e, address = if_not_exists(address, :a), reason = if_not_exists(reason, :r), #at = if_not_exists(#at, :t), lastReason = :r, lastAt = :t' +
          (record.source ? ', #src = if_not_exists(#src, :s)' : '') +
          (record.detail ? ', detail = if_not_exists(detail, :d)' : '') +
          ' ADD #count :one',
        ExpressionAttributeNames: { '#at': 'at', '#count': 'count', ...(record.source ? { '#src': 'source' } : {}) },
        ExpressionAttributeValues: {
          ':e': 'suppression',
          ':a': normalizeAddress(record.address),
          ':r': record.reason,
          ':t': record.at,
          ':one': 1,
          ...(record.source ? { ':s': record.source } : {}),
          ...(record.detail ? { ':d': record.detail.slice(0, 500) } : {}),
        },
      }),
    );
  }

  async get(address: string): Promise<SuppressionRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: suppressionPk(address), SK: SUPPRESSION_SK }, ConsistentRead: true }));
    return out.Item ? (out.Item as unknown as SuppressionRecord) : undefined;
  }

  async isSuppressed(address: string): Promise<boolean> {
    return (await isSuppressed(this.doc, this.tableName, [address])).size > 0;
  }

  suppressedAmong(addresses: string[]): Promise<Set<string>> {
    return isSuppressed(this.doc, this.tableName, addresses);
  }
}
