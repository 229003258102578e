// Due index keys: month-day, zone and a stable shard; Feb 29 handling.
import { describe, expect, it } from 'vitest';
import { dueKeysFor, monthDaysToRead, parsePartition, partitionOf, shardOf } from '../../../core/due-keys.js';

const base = { id: 'cus-1', timezone: 'Europe/Berlin', signupDate: '2021-11-24' };

describe('shardOf', () => {
  it('gives the same shard for the same id every time', () => {
    // Prepare
    const ids = Array.from({ length: 50 }, (_, i) => `cus-${i}`);
    // Act
    const first = ids.map((id) => shardOf(id, 4));
    const second = ids.map((id) => shardOf(id, 4));
    // Assess
    expect(second).toEqual(first);
  });

  it('is pinned to known values so a code change cannot silently move customers between partitions', () => {
    // Act / Assess
    expect(shardOf('a', 4)).toBe(0xe40c292c % 4); // FNV-1a("a")
  });

  it('spreads ids evenly over the shards', () => {
    // Prepare
    const counts = [0, 0, 0, 0];
    // Act
    for (let i = 0; i < 4000; i += 1) counts[shardOf(`cus_${i}`, 4)]! += 1;
    // Assess
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });

  it('rejects a shard count of zero', () => {
    expect(() => shardOf('x', 0)).toThrow(RangeError);
  });
});

describe('dueKeysFor', () => {
  it('keys each present date by month-day, zone and two-digit shard', () => {
    // Prepare
    const shard = String(shardOf('cus-1', 4)).padStart(2, '0');
    // Act
    const keys = dueKeysFor({ ...base, birthday: '1990-03-07' }, 4);
    // Assess
    expect(keys).toEqual({ dueSignup: `11-24#Europe/Berlin#${shard}`, dueBirthday: `03-07#Europe/Berlin#${shard}` });
  });

  it('keeps Feb 29 under 02-29', () => {
    // Act
    const keys = dueKeysFor({ ...base, signupDate: '2020-02-29' }, 4);
    // Assess
    expect(keys.dueSignup?.startsWith('02-29#')).toBe(true);
  });

  it('leaves out keys for absent dates (sparse indexes)', () => {
    // Act
    const keys = dueKeysFor(base, 4);
    // Assess
    expect(Object.keys(keys)).toEqual(['dueSignup']);
  });
});

describe('monthDaysToRead', () => {
  it('reads Feb 29 customers on Feb 28 of a non-leap year', () => {
    expect(monthDaysToRead('2025-02-28')).toEqual(['02-28', '02-29']);
  });

  it('reads only Feb 28 on Feb 28 of a leap year', () => {
    expect(monthDaysToRead('2024-02-28')).toEqual(['02-28']);
  });

  it('reads Feb 29 on Feb 29', () => {
    expect(monthDaysToRead('2024-02-29')).toEqual(['02-29']);
  });
});

describe('partitions', () => {
  it('round-trips zone and shard, including zones with several slashes', () => {
    // Prepare
    const customer = { id: 'x-9', timezone: 'America/Argentina/Buenos_Aires' };
    // Act
    const parsed = parsePartition(partitionOf(customer, 8));
    // Assess
    expect(parsed).toEqual({ zone: 'America/Argentina/Buenos_Aires', shard: shardOf('x-9', 8) });
  });

  it('rejects a partition without a two-digit shard', () => {
    expect(() => parsePartition('Europe/Berlin')).toThrow(RangeError);
  });
});
