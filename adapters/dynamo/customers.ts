// Customer profiles in the single table (`C#<id>` / `PROFILE`): upsert that keeps ask history, reads by id, the due
// index Query the workflow pages through, ask history updates and the registry of `<zone>#<shard>` partitions.
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DEFAULT_DUE_SHARDS, DUE_DATE_FIELDS, dueKeysFor, partitionOf, type DueKeys } from '../../core/due-keys.js';
import { AskHistory, Customer } from '../../core/schemas/customer.js';
import { consentChanges, newSubjectId, type ConsentSource } from '../../core/privacy.js';
import { nanoIds } from '../clock.js';
import { consentItems } from './consents.js';
import { GSIS } from './table-def.js';
import { customerPk, emailPointerKey, META_PK, PARTITIONS_SK, phonePointerKey, PROFILE_SK, SUBJECT_SK } from './keys.js';

export { customerPk, PROFILE_SK, META_PK, PARTITIONS_SK };

/** Phone -> customer pointer (P#<e164> / PHONE): inbound SMS (STOP) finds the customer by number with one GetItem. */
export const phonePointerItem = (phone: string, customerId: string): Record<string, unknown> => ({ ...phonePointerKey(phone), entity: 'phone', customerId });
/** Email -> customer pointer (M#<normalized email> / EMAIL): `asks customer erase <email>` finds the customer. */
export const emailPointerItem = (email: string, customerId: string): Record<string, unknown> => ({ ...emailPointerKey(email), entity: 'email_pointer', customerId });
/** The pointer items of a profile (phone, email). */
export const pointerItems = (c: { id: string; phone?: string | undefined; email?: string | undefined }): Array<Record<string, unknown>> => [
  ...(c.phone ? [phonePointerItem(c.phone, c.id)] : []),
  ...(c.email ? [emailPointerItem(c.email, c.id)] : []),
];

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
  /** Append the consent changes this write makes to the consent ledger (`C#<id>` / `CONSENT#…`). */
  consentLedger?: { at: string; source: ConsentSource };
  /**
   * "replace" (default) writes the counters given; "preserve" keeps counters already stored (a file without counter
   * columns must not reset what activity events have counted).
   */
  counters?: 'replace' | 'preserve';
}

export interface PutManyOptions extends PutOptions {
  /** Chunks of 100 in flight at once (default 16). */
  concurrency?: number;
  onProgress?: (done: number) => void;
}

export interface PutManyResult {
  created: number;
  updated: number;
  /** Already stored exactly so: nothing written. */
  unchanged: number;
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

/** JSON with sorted keys, so two equal items compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set) return [...(v as Set<unknown>)].sort();
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  }) ?? 'undefined';
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
    // The subject id events carry: minted once, never replaced by a re-import (docs/privacy.md).
    assign('subjectId', newSubjectId(nanoIds), true);
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
    for (const Item of pointerItems(valid)) await this.doc.send(new PutCommand({ TableName: this.tableName, Item }));
    if (options.consentLedger) {
      const old = out.Attributes as { consents?: Customer['consents']; optOut?: boolean } | undefined;
      const before = old && Object.keys(old).length > 0 ? { consents: old.consents ?? {}, optOut: old.optOut ?? false } : undefined;
      await this.batchPut(consentItems(valid.id, consentChanges(before, valid, options.consentLedger.at, options.consentLedger.source)));
    }
    return { created: out.Attributes === undefined || Object.keys(out.Attributes).length === 0 };
  }

  /** The full item a brand-new customer is stored as. */
  private toItem(customer: Customer): Record<string, unknown> {
    return { ...customer, ...dueKeysFor(customer, this.shards), PK: customerPk(customer.id), SK: PROFILE_SK, entity: 'customer', subjectId: newSubjectId(nanoIds) };
  }

  /**
   * Upsert many. Per chunk of 100: one BatchGet; brand-new customers go in with BatchWrite (nothing to preserve),
   * unchanged ones are skipped (re-import writes nothing), changed ones get the history-preserving UpdateItem.
   * A blind BatchWrite could only lose data if another writer created the same profile between the read and the
   * write — only another import does, and it writes the same profile.
   */
  async putMany(customers: Customer[], options: PutManyOptions = {}): Promise<PutManyResult> {
    const concurrency = Math.max(1, options.concurrency ?? 16);
    const result: PutManyResult = { created: 0, updated: 0, unchanged: 0 };
    const byId = new Map<string, Customer>();
    for (const c of customers) byId.set(c.id, Customer.parse(c)); // the last row for an id wins
    const unique = [...byId.values()];
    const chunks: Customer[][] = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    let done = customers.length - unique.length;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next]!;
        next += 1;
        const existing = await this.rawGetMany(chunk.map((c) => customerPk(c.id)));
        const fresh: Array<Record<string, unknown>> = [];
        const changed: Customer[] = [];
        for (const customer of chunk) {
          const stored = existing.get(customerPk(customer.id));
          if (!stored) fresh.push(this.toItem(customer));
          else if (this.sameProfile(stored, customer, options.counters === 'preserve')) result.unchanged += 1;
          else changed.push(customer);
        }
        // Someone known before their profile (a referred friend whose conversion arrived first) keeps the subject id
        // their events already carry, so the analytics can join them (docs/privacy.md).
        if (fresh.length > 0) {
          const known = await this.rawGetMany(fresh.map((item) => String(item.PK)), SUBJECT_SK);
          for (const item of fresh) {
            const subject = known.get(String(item.PK))?.subjectId;
            if (typeof subject === 'string') item.subjectId = subject;
          }
        }
        const ledger = options.consentLedger;
        const consentLog = ledger ? fresh.flatMap((item) => consentItems(String(item.id), consentChanges(undefined, item as unknown as Customer, ledger.at, ledger.source))) : [];
        await this.batchPut([...fresh, ...fresh.flatMap((item) => pointerItems(item as unknown as Customer)), ...consentLog]);
        result.created += fresh.length;
        for (const customer of changed) await this.put(customer, options);
        result.updated += changed.length;
        done += chunk.length;
        options.onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    await this.registerPartitions([...new Set(unique.map((c) => this.partitionOf(c)))]);
    return result;
  }

  private sameProfile(stored: Record<string, unknown>, customer: Customer, ignoreCounters: boolean): boolean {
    const wanted = this.toItem(customer);
    const relevant = new Set<string>([...PROFILE_FIELDS, ...DUE_ATTRIBUTES]);
    if (ignoreCounters) relevant.delete('counters');
    for (const key of relevant) {
      if (canonical(stored[key]) !== canonical(wanted[key])) return false;
    }
    return true;
  }

  /** Raw BatchGet by PK (profile items, or another SK), retrying UnprocessedKeys. */
  private async rawGetMany(pks: string[], sk: string = PROFILE_SK): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    let keys: Array<Record<string, unknown>> = pks.map((pk) => ({ PK: pk, SK: sk }));
    for (let attempt = 0; keys.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      this.readStats.gets += 1;
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
      for (const item of out.Responses?.[this.tableName] ?? []) {
        this.readStats.itemsRead += 1;
        found.set(String(item.PK), item);
      }
      keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
    }
    return found;
  }

  private async batchPut(items: Array<Record<string, unknown>>): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed after ${attempt} attempts`);
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
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
      const raw = await this.rawGetMany(unique.slice(i, i + 100).map(customerPk));
      for (const item of raw.values()) {
        const parsed = this.parse(item);
        if (parsed.ok) found.set(parsed.customer.id, parsed.customer);
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
