// Referral codes: one per advocate and campaign. The pointer `C#<id>` / `CODE#<campaignId>` is claimed first with a
// conditional put (so two workers agree on one code without a read in the common case), then `R#<code>` / `CODE` is
// written, conditionally, so a code never changes owner. That is what lets `owner` keep positive answers in a small
// per-process cache: the click path then makes its one write and no read.
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newReferralCode } from '../../core/links.js';
import type { IdGenerator } from '../../core/ports.js';
import type { CodeIssuer } from '../../core/workflow/ports.js';
import { customerPk, type ReadStats } from './customers.js';
import { isConditionFailed } from './conditions.js';
import { CODE_SK, codePk, codePointerSk } from './keys.js';

export { codePointerSk, codePk, CODE_SK };

export interface CodeOwner {
  customerId: string;
  campaignId: string;
  askId: string;
  firstName: string;
}

type OwnedCode = CodeOwner & { code: string };

/**
 * A bounded LRU map with a time to live, for values that do not change once written. Only what is put in is kept:
 * callers put found items only, so a code that does not exist yet is asked again next time.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (hit.expires <= this.now()) return undefined;
    this.entries.set(key, hit); // most recently used last
    return hit.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Per process (per Lambda container), per document client: 10k owners is about 2 MB; 5 minutes bounds how stale a first name can be. */
export const OWNER_CACHE_LIMITS = { maxEntries: 10_000, ttlMs: 5 * 60_000 } as const;
const ownerCaches = new WeakMap<DynamoDBDocumentClient, BoundedCache<OwnedCode>>();

function sharedOwnerCache(doc: DynamoDBDocumentClient): BoundedCache<OwnedCode> {
  let cache = ownerCaches.get(doc);
  if (!cache) ownerCaches.set(doc, (cache = new BoundedCache<OwnedCode>(OWNER_CACHE_LIMITS.maxEntries, OWNER_CACHE_LIMITS.ttlMs)));
  return cache;
}

export class DynamoCodeStore implements CodeIssuer {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };
  private readonly owners: BoundedCache<OwnedCode>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ids: IdGenerator,
    /** Defaults to the cache this process shares for `doc`. */
    ownerCache?: BoundedCache<OwnedCode>,
  ) {
    this.owners = ownerCache ?? sharedOwnerCache(doc);
  }

  /**
   * The codes these advocates already have for the campaign (their pointers), by customer id: one BatchGet per 100
   * (unprocessed keys retried). A run reads them once per batch, so a repeat advocate's ask writes no pointer.
   */
  async known(customerIds: readonly string[], campaignId: string): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Set(customerIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((id) => ({ PK: customerPk(id), SK: codePointerSk(campaignId) }));
      for (let round = 0; keys.length > 0; round += 1) {
        if (round > 8) throw new Error(`BatchGetItem left ${keys.length} code pointers unprocessed`);
        if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'PK, code' } } }));
        this.readStats.gets += 1;
        for (const item of out.Responses?.[this.tableName] ?? []) {
          this.readStats.itemsRead += 1;
          if (typeof item.code === 'string') found.set(String(item.PK).slice(customerPk('').length), item.code);
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return found;
  }

  /**
   * The advocate's code for the campaign, created on first use. `knownCode` (their pointer, read before by `known`)
   * skips the pointer's write: only the code's owner item is written again (the repair of a crash between the two).
   */
  async ensure(owner: CodeOwner, now: string, knownCode?: string): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const fresh = newReferralCode(this.ids);
      let code = fresh;
      if (attempt === 0 && knownCode) code = knownCode;
      else {
        try {
          await this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { PK: customerPk(owner.customerId), SK: codePointerSk(owner.campaignId), entity: 'code_pointer', code, createdAt: now },
              ConditionExpression: 'attribute_not_exists(PK)',
            }),
          );
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          this.readStats.gets += 1;
          const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(owner.customerId), SK: codePointerSk(owner.campaignId) }, ConsistentRead: true }));
          if (out.Item) this.readStats.itemsRead += 1;
          code = String(out.Item?.code);
        }
      }
      // Written (again) even for an existing pointer: repairs a crash between the two puts.
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { PK: codePk(code), SK: CODE_SK, entity: 'code', code, ...owner, createdAt: now },
            ConditionExpression: 'attribute_not_exists(PK) OR customerId = :c',
            ExpressionAttributeValues: { ':c': owner.customerId },
          }),
        );
        return code;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        // Another advocate owns this code (a 2^-50 collision): give the pointer back and draw again.
        await this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { PK: customerPk(owner.customerId), SK: codePointerSk(owner.campaignId) },
            ConditionExpression: 'code = :code',
            ExpressionAttributeValues: { ':code': code },
          }),
        ).catch((e: unknown) => {
          if (!isConditionFailed(e)) throw e;
        });
      }
    }
    throw new Error(`could not issue a unique referral code for ${owner.customerId} in ${owner.campaignId}`);
  }

  /**
   * Who owns the code. customerId and campaignId never change for a code (the conditional put above), so a found owner
   * is cached (bounded, with a TTL for the first name); an unknown code is not, and is read again next time.
   */
  async owner(code: string): Promise<OwnedCode | undefined> {
    const key = `${this.tableName}\n${code}`;
    const cached = this.owners.get(key);
    if (cached) return cached;
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: codePk(code), SK: CODE_SK } }));
    if (!out.Item) return undefined;
    this.readStats.itemsRead += 1;
    const owner = Object.freeze(out.Item as OwnedCode);
    this.owners.set(key, owner);
    return owner;
  }
}
