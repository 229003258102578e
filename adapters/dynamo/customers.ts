// Customer profiles in the single table (`C#<id>` / `PROFILE`): upsert that keeps ask history, reads by id, the due
// index Query the workflow pages through, ask history updates and the registry of `<zone>#<shard>` partitions.
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DEFAULT_DUE_SHARDS, DUE_DATE_FIELDS, dueKeysFor, partitionOf, type DueKeys } from '../../core/due-keys.js';
import { AskHistory, Customer } from '../../core/schemas/customer.js';
import { GSIS } from './table-def.js';

export const customerPk = (customerId: string): string => `C#${customerId}`;
export const PROFILE_SK = 'PROFILE';
export const META_PK = 'META';
export const PARTITIONS_SK = 'PARTITIONS';

/** A stored customer as the workflow sees it: the profile plus what caps and cooldowns need. */
export const StoredCustomer = z.object({ ...Customer.shape, ...AskHistory.shape });
export type StoredCustomer = z.infer<typeof StoredCustomer>;

const PROFILE_FIELDS = Object.keys(Customer.shape) as Array<keyof Customer>;
const DUE_ATTRIBUTES = Object.keys(DUE_DATE_FIELDS) as Array<keyof DueKeys>;
/** Attributes the table adds around the profile; never handed to callers. */
const INTERNAL_ATTRIBUTES = new Set<string>(['PK', 'SK', 'entity', 'updatedAt', 'pendingDay', 'GSI1PK', 'GSI1SK', ...DUE_ATTRIBUTES]);

export interface ReadStats {
  /** Items returned by every read (GetItem, BatchGetItem, Query). */
  itemsRead: number;
  queries: number;
  gets: number;
}

export interface PutOptions {
  /**
   * "replace" (default) writes the counters given; "preserve" keeps counters already stored (a file without counter
   * columns must not reset what activity events have counted).
   */
  counters?: 'replace' | 'preserve';
}

export interface PutManyOptions extends PutOptions {
  /** Parallel UpdateItem requests (default 24). */
  concurrency?: number;
  onProgress?: (done: number) => void;
}

export interface QueryDueInput {
  /** Index name, e.g. "DueSignup". */
  index: string;
  /** The index partition key value, e.g. "11-24#Europe/Berlin#03". */
  partition: string;
  startKey?: Record<string, unknown>;
  limit: number;
}

export interface QueryDueOutput {
  items: StoredCustomer[];
  lastKey?: Record<string, unknown>;
  /** Stored items that no longer match the schema (skipped, never thrown: one bad record must not stop a run). */
  invalid: Array<{ customerId: string; errors: string[] }>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function stripInternal(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!INTERNAL_ATTRIBUTES.has(k)) out[k] = v;
  return out;
}

export class CustomerStore {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };
  private readonly shards: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: { shards?: number } = {},
  ) {
    this.shards = options.shards ?? DEFAULT_DUE_SHARDS;
  }

  /** The `<zone>#<shard2>` partition a customer lives in under this store's shard count. */
  partitionOf(customer: Pick<Customer, 'id' | 'timezone'>): string {
    return partitionOf(customer, this.shards);
  }

  /**
   * Upsert the profile: SET every profile field and due key, REMOVE the ones the new profile no longer has, and leave
   * everything else on the item (lastAskAt, recentAskAts) alone — so re-importing is idempotent and keeps history.
   * Returns whether the item was new.
   */
  async put(customer: Customer, options: PutOptions = {}): Promise<{ created: boolean }> {
    const valid = Customer.parse(customer);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const keys = dueKeysFor(valid, this.shards);
    let n = 0;
    const assign = (attribute: string, value: unknown, ifMissing = false): void => {
      n += 1;
      names[`#a${n}`] = attribute;
      if (value === undefined) {
        removes.push(`#a${n}`);
        return;
      }
      values[`:v${n}`] = value;
      sets.push(ifMissing ? `#a${n} = if_not_exists(#a${n}, :v${n})` : `#a${n} = :v${n}`);
    };
    for (const field of PROFILE_FIELDS) {
      assign(field, valid[field], field === 'counters' && options.counters === 'preserve');
    }
    for (const attribute of DUE_ATTRIBUTES) assign(attribute, keys[attribute]);
    assign('entity', 'customer');
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: customerPk(valid.id), SK: PROFILE_SK },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // Only attributes that existed come back: an empty answer means the item is new.
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return { created: out.Attributes === undefined || Object.keys(out.Attributes).length === 0 };
  }

  /** Upsert many (bounded parallel UpdateItem, never a blind BatchWrite: history must survive) and register partitions. */
  async putMany(customers: Customer[], options: PutManyOptions = {}): Promise<{ created: number; updated: number }> {
    const concurrency = Math.max(1, options.concurrency ?? 24);
    let next = 0;
    let done = 0;
    let created = 0;
    const worker = async (): Promise<void> => {
      while (next < customers.length) {
        const customer = customers[next]!;
        next += 1;
        const result = await this.put(customer, options);
        if (result.created) created += 1;
        done += 1;
        options.onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, customers.length) }, worker));
    await this.registerPartitions([...new Set(customers.map((c) => this.partitionOf(c)))]);
    return { created, updated: customers.length - created };
  }

  private parse(item: Record<string, unknown>): { ok: true; customer: StoredCustomer } | { ok: false; customerId: string; errors: string[] } {
    const result = StoredCustomer.safeParse(stripInternal(item));
    if (result.success) return { ok: true, customer: result.data };
    return {
      ok: false,
      customerId: String(item.id ?? String(item.PK ?? '').slice(2)),
      errors: result.error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`),
    };
  }

  async get(customerId: string): Promise<StoredCustomer | undefined> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(customerId), SK: PROFILE_SK } }));
    if (!out.Item) return undefined;
    this.readStats.itemsRead += 1;
    const parsed = this.parse(out.Item);
    if (!parsed.ok) throw new Error(`stored customer ${customerId} is invalid: ${parsed.errors.join('; ')}`);
    return parsed.customer;
  }

  /** BatchGet in chunks of 100, retrying UnprocessedKeys with backoff; returns the found customers in `ids` order. */
  async getMany(customerIds: string[]): Promise<StoredCustomer[]> {
    const unique = [...new Set(customerIds)];
    const found = new Map<string, StoredCustomer>();
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((id) => ({ PK: customerPk(id), SK: PROFILE_SK }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
        if (attempt > 8) throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${attempt} attempts`);
        this.readStats.gets += 1;
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          this.readStats.itemsRead += 1;
          const parsed = this.parse(item);
          if (parsed.ok) found.set(parsed.customer.id, parsed.customer);
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return customerIds.map((id) => found.get(id)).filter((c): c is StoredCustomer => c !== undefined);
  }

  /** One page of a due index partition (Query, never Scan). */
  async queryDue(input: QueryDueInput): Promise<QueryDueOutput> {
    const gsi = GSIS.find((g) => g.name === input.index);
    if (!gsi) throw new RangeError(`unknown index ${input.index}`);
    this.readStats.queries += 1;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: gsi.name,
        KeyConditionExpression: '#pk = :p',
        ExpressionAttributeNames: { '#pk': gsi.pk },
        ExpressionAttributeValues: { ':p': input.partition },
        Limit: input.limit,
        ExclusiveStartKey: input.startKey,
      }),
    );
    const items: StoredCustomer[] = [];
    const invalid: QueryDueOutput['invalid'] = [];
    for (const item of out.Items ?? []) {
      this.readStats.itemsRead += 1;
      const parsed = this.parse(item);
      if (parsed.ok) items.push(parsed.customer);
      else invalid.push({ customerId: parsed.customerId, errors: parsed.errors });
    }
    return { items, invalid, ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
  }

  /** Record an ask on the profile: `recentAskAts` is the caller's pruned window (askAt is added if missing). */
  async recordAsk(customerId: string, askAt: string, history: string[]): Promise<void> {
    const recent = history.includes(askAt) ? history : [...history, askAt];
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: customerPk(customerId), SK: PROFILE_SK },
        UpdateExpression: 'SET lastAskAt = :a, recentAskAts = :r',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':a': askAt, ':r': [...recent].sort() },
      }),
    );
  }

  /** Add `<zone>#<shard2>` partitions to the registry (a string set: adding twice is harmless). */
  async registerPartitions(partitions: string[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: META_PK, SK: PARTITIONS_SK },
        UpdateExpression: 'ADD #p :p',
        ExpressionAttributeNames: { '#p': 'partitions' },
        ExpressionAttributeValues: { ':p': new Set(partitions) },
      }),
    );
  }

  async listPartitions(): Promise<string[]> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: META_PK, SK: PARTITIONS_SK } }));
    if (!out.Item) return [];
    this.readStats.itemsRead += 1;
    const set = out.Item.partitions as Set<string> | string[] | undefined;
    return [...(set ?? [])].sort();
  }
}
