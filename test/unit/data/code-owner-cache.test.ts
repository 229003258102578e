// The per-process cache of referral code owners: bounded (least recently used goes first), found owners only, with a
// time to live, shared by the DynamoCodeStore instances of one document client.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { BoundedCache, DynamoCodeStore, OWNER_CACHE_LIMITS } from '../../../adapters/dynamo/codes.js';
import { nanoIds } from '../../../adapters/clock.js';

/** A document client that answers GetItem from `items` ("table|PK" -> item) and counts the reads. */
function fakeDoc(items: Map<string, Record<string, unknown>>): { doc: DynamoDBDocumentClient; gets: string[] } {
  const gets: string[] = [];
  const doc = {
    send: async (command: unknown) => {
      if (!(command instanceof GetCommand)) throw new Error('only GetItem expected');
      const { TableName, Key } = command.input;
      gets.push(`${TableName}|${String(Key?.PK)}`);
      return { Item: items.get(`${TableName}|${String(Key?.PK)}`) };
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, gets };
}

const ownerItem = (code: string, customerId = `adv-${code}`) => ({ PK: `R#${code}`, SK: 'CODE', code, customerId, campaignId: 'signup-anniversary', askId: `${customerId}~a`, firstName: 'Olivia' });

describe('BoundedCache', () => {
  it('never holds more than maxEntries and drops the least recently used first', () => {
    // Prepare
    const cache = new BoundedCache<number>(3, 60_000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    // Act: touching "a" makes "b" the least recently used
    cache.get('a');
    cache.set('d', 4);
    cache.set('e', 5);
    // Assess
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeUndefined();
    expect([cache.get('a'), cache.get('d'), cache.get('e')]).toEqual([1, 4, 5]);
  });

  it('forgets entries after their time to live', () => {
    // Prepare
    let now = 1_000;
    const cache = new BoundedCache<string>(10, 500, () => now);
    cache.set('a', 'x');
    // Act + Assess
    now = 1_499;
    expect(cache.get('a')).toBe('x');
    now = 1_500;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses a size below one', () => {
    expect(() => new BoundedCache(0, 1000)).toThrow(RangeError);
  });
});

describe('DynamoCodeStore.owner cache', () => {
  it('reads a found owner once per process, across store instances on the same client', async () => {
    // Prepare
    const { doc, gets } = fakeDoc(new Map([['t|R#abcd2345ef', ownerItem('abcd2345ef')]]));
    // Act
    const first = await new DynamoCodeStore(doc, 't', nanoIds).owner('abcd2345ef');
    const second = await new DynamoCodeStore(doc, 't', nanoIds).owner('abcd2345ef');
    // Assess
    expect(first?.customerId).toBe('adv-abcd2345ef');
    expect(second).toEqual(first);
    expect(gets).toEqual(['t|R#abcd2345ef']);
  });

  it('does not cache an unknown code: it is read again and found once it exists', async () => {
    // Prepare
    const items = new Map<string, Record<string, unknown>>();
    const { doc, gets } = fakeDoc(items);
    const store = new DynamoCodeStore(doc, 't', nanoIds);
    // Act
    const before = await store.owner('zzzz2345ef');
    const again = await store.owner('zzzz2345ef');
    items.set('t|R#zzzz2345ef', ownerItem('zzzz2345ef'));
    const after = await store.owner('zzzz2345ef');
    // Assess
    expect(before).toBeUndefined();
    expect(again).toBeUndefined();
    expect(after?.customerId).toBe('adv-zzzz2345ef');
    expect(gets).toHaveLength(3);
  });

  it('stays bounded: past its size the least recently used code is read again', async () => {
    // Prepare
    const codes = ['aaaa2345ef', 'bbbb2345ef', 'cccc2345ef'];
    const { doc, gets } = fakeDoc(new Map(codes.map((c) => [`t|R#${c}`, ownerItem(c)])));
    const cache = new BoundedCache<Awaited<ReturnType<DynamoCodeStore['owner']>> & object>(2, 60_000);
    const store = new DynamoCodeStore(doc, 't', nanoIds, cache);
    // Act
    for (const c of codes) await store.owner(c);
    await store.owner('cccc2345ef'); // cached
    await store.owner('aaaa2345ef'); // evicted by the third code: read again
    // Assess
    expect(cache.size).toBe(2);
    expect(gets).toEqual(['t|R#aaaa2345ef', 't|R#bbbb2345ef', 't|R#cccc2345ef', 't|R#aaaa2345ef']);
  });

  it('keeps tables apart and has a bounded default size', async () => {
    // Prepare
    const { doc, gets } = fakeDoc(new Map([['t1|R#abcd2345ef', ownerItem('abcd2345ef', 'one')], ['t2|R#abcd2345ef', ownerItem('abcd2345ef', 'two')]]));
    // Act
    const one = await new DynamoCodeStore(doc, 't1', nanoIds).owner('abcd2345ef');
    const two = await new DynamoCodeStore(doc, 't2', nanoIds).owner('abcd2345ef');
    // Assess
    expect([one?.customerId, two?.customerId]).toEqual(['one', 'two']);
    expect(gets).toHaveLength(2);
    expect(OWNER_CACHE_LIMITS.maxEntries).toBeLessThanOrEqual(100_000);
  });
});
