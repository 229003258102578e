// The suppression list in the single table (`S#<normalized address>` / `SUPPRESSION`): written by the SES event and
// inbound SMS handlers, read (BatchGet) before sending so a bounced, complained or STOPped address is never used again.
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Keyring } from '../../core/ports.js';
import { hashedSuppressionPks } from '../../core/privacy.js';
import { normalizeAddress, type SuppressionRecord } from '../../core/suppression.js';
import { suppressionPk, SUPPRESSION_SK } from './keys.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The suppression keys of `addresses` mapped to their normalized address: `S#<address>`, and with a keyring also the
 * keyed-hash form `S#H#<hash>` under every key (an erased person's opt-out survives only as that hash).
 */
export function suppressionKeys(addresses: readonly string[], keyring?: Keyring): Map<string, string> {
  const keys = new Map<string, string>();
  for (const a of addresses) {
    if (a.trim() === '') continue;
    const normalized = normalizeAddress(a);
    keys.set(suppressionPk(normalized), normalized);
    if (keyring) for (const pk of hashedSuppressionPks(normalized, keyring)) keys.set(pk, normalized);
  }
  return keys;
}

/** BatchGet of suppression keys (100 per call, unprocessed retried); calls `onRead` per call and returns the PKs found. */
export async function findSuppressionKeys(doc: DynamoDBDocumentClient, tableName: string, pks: readonly string[], onRead?: (found: number) => void): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < pks.length; i += 100) {
    let keys: Array<Record<string, unknown>> = pks.slice(i, i + 100).map((pk) => ({ PK: pk, SK: SUPPRESSION_SK }));
    for (let attempt = 0; keys.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error(`BatchGetItem left ${keys.length} suppression keys unprocessed`);
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: 'PK' } } }));
      const items = out.Responses?.[tableName] ?? [];
      onRead?.(items.length);
      for (const item of items) found.add(String(item.PK));
      keys = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
    }
  }
  return found;
}

/**
 * The normalized addresses among `addresses` that are suppressed, in plain form or (given the keyring) as the keyed
 * hash an erasure leaves behind.
 */
export async function isSuppressed(doc: DynamoDBDocumentClient, tableName: string, addresses: string[], keyring?: Keyring): Promise<Set<string>> {
  const keys = suppressionKeys(addresses, keyring);
  const found = await findSuppressionKeys(doc, tableName, [...keys.keys()]);
  return new Set([...found].map((pk) => keys.get(pk)!));
}

export class SuppressionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** With the keyring, lookups also find the hashed suppressions of erased people. */
    private readonly keyring?: () => Promise<Keyring>,
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
    return (await this.suppressedAmong([address])).size > 0;
  }

  async suppressedAmong(addresses: string[]): Promise<Set<string>> {
    return isSuppressed(this.doc, this.tableName, addresses, this.keyring ? await this.keyring() : undefined);
  }
}
