// CustomerStore against dynalite: upsert keeps history, due index queries read exactly one partition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { dueKeysFor } from '../../../core/due-keys.js';
import { Customer } from '../../../core/schemas/customer.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const make = (id: string, extra: Partial<Customer> = {}): Customer =>
  Customer.parse({ id, firstName: 'Ana', timezone: 'Europe/Berlin', signupDate: '2020-11-24', email: `${id}@example.com`, ...extra });

describe('CustomerStore', () => {
  let db: RunningDynalite;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startDynalite();
    doc = localDoc(db.endpoint);
  });
  afterAll(async () => {
    await db.stop();
  });

  it('re-putting a profile keeps lastAskAt and recentAskAts', async () => {
    // Prepare
    const store = new CustomerStore(doc, await freshTable(doc));
    await store.put(make('c1'));
    await store.recordAsk('c1', '2025-01-02T10:00:00Z', ['2024-06-01T10:00:00Z']);
    // Act
    const r = await store.put(make('c1', { firstName: 'Anna' }));
    // Assess
    const got = await store.get('c1');
    expect(r.created).toBe(false);
    expect(got?.firstName).toBe('Anna');
    expect(got?.lastAskAt).toBe('2025-01-02T10:00:00Z');
    expect(got?.recentAskAts).toEqual(['2024-06-01T10:00:00Z', '2025-01-02T10:00:00Z']);
  });

  it('removes a field and its due key when the new profile drops it', async () => {
    // Prepare
    const store = new CustomerStore(doc, await freshTable(doc));
    await store.put(make('c2', { birthday: '1990-05-05', phone: '+4915112345678' }));
    // Act
    await store.put(make('c2'));
    // Assess
    const got = await store.get('c2');
    expect(got?.phone).toBeUndefined();
    expect(got?.birthday).toBeUndefined();
    const page = await store.queryDue({ index: 'DueBirthday', partition: dueKeysFor(make('c2', { birthday: '1990-05-05' })).dueBirthday!, limit: 10 });
    expect(page.items).toHaveLength(0);
  });

  it('queryDue returns exactly the customers of one partition and counts what it read', async () => {
    // Prepare
    const store = new CustomerStore(doc, await freshTable(doc), { shards: 1 });
    const inBerlin = ['b1', 'b2', 'b3'].map((id) => make(id));
    const others = [make('t1', { timezone: 'Asia/Tokyo' }), make('b4', { signupDate: '2020-11-25' })];
    await store.putMany([...inBerlin, ...others]);
    const before = { ...store.readStats };
    // Act
    const page = await store.queryDue({ index: 'DueSignup', partition: '11-24#Europe/Berlin#00', limit: 100 });
    // Assess
    expect(page.items.map((c) => c.id).sort()).toEqual(['b1', 'b2', 'b3']);
    expect(store.readStats.itemsRead - before.itemsRead).toBe(3);
    expect(store.readStats.queries - before.queries).toBe(1);
    expect(Object.keys(page.items[0]!)).not.toContain('PK');
    expect(Object.keys(page.items[0]!)).not.toContain('dueSignup');
  });

  it('pages through a partition with lastKey', async () => {
    // Prepare
    const store = new CustomerStore(doc, await freshTable(doc), { shards: 1 });
    await store.putMany(Array.from({ length: 5 }, (_, i) => make(`p${i}`)));
    // Act
    const first = await store.queryDue({ index: 'DueSignup', partition: '11-24#Europe/Berlin#00', limit: 3 });
    const second = await store.queryDue({ index: 'DueSignup', partition: '11-24#Europe/Berlin#00', limit: 3, startKey: first.lastKey });
    // Assess
    expect(first.items).toHaveLength(3);
    expect(second.items).toHaveLength(2);
    expect(new Set([...first.items, ...second.items].map((c) => c.id)).size).toBe(5);
  });

  it('putMany twice writes nothing the second time and registers partitions', async () => {
    // Prepare
    const store = new CustomerStore(doc, await freshTable(doc), { shards: 2 });
    const customers = Array.from({ length: 250 }, (_, i) => make(`m${i}`, { timezone: i % 2 ? 'Europe/Berlin' : 'America/New_York' }));
    // Act
    const first = await store.putMany(customers);
    const second = await store.putMany(customers);
    // Assess
    expect(first).toEqual({ created: 250, updated: 0, unchanged: 0 });
    expect(second).toEqual({ created: 0, updated: 0, unchanged: 250 });
    expect(await store.listPartitions()).toEqual(['America/New_York#00', 'America/New_York#01', 'Europe/Berlin#00', 'Europe/Berlin#01']);
  });

  it('putMany keeps stored counters when asked to preserve them', async () => {
    // Prepare
    const store = new CustomerStore(doc, await freshTable(doc));
    await store.put(make('k1', { counters: { orders: 9, lifetimeSpendMinor: 100, projectsCompleted: 0, successfulReferrals: 0 } }));
    // Act
    const r = await store.putMany([make('k1', { lastName: 'New' })], { counters: 'preserve' });
    // Assess
    expect(r.updated).toBe(1);
    expect((await store.get('k1'))?.counters.orders).toBe(9);
  });

  it('getMany returns found customers in the order asked', async () => {
    // Prepare
    const store = new CustomerStore(doc, await freshTable(doc));
    await store.putMany([make('g1'), make('g2'), make('g3')]);
    // Act
    const got = await store.getMany(['g3', 'missing', 'g1']);
    // Assess
    expect(got.map((c) => c.id)).toEqual(['g3', 'g1']);
  });
});
