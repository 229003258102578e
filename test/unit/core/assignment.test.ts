// Deterministic variant and holdout assignment: stable, proportional to weights, independent of each other.
import { describe, expect, it } from 'vitest';
import { assignVariant, isHeldOut, unitHash } from '../../../core/assignment.js';

const N = 100_000;
const ids = Array.from({ length: N }, (_, i) => `cust-${i}`);

describe('unitHash', () => {
  it('is stable and lies in [0, 1)', () => {
    const a = unitHash('x', 'y');
    expect(unitHash('x', 'y')).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1);
  });

  it('keeps part boundaries apart', () => {
    expect(unitHash('ab', 'c')).not.toBe(unitHash('a', 'bc'));
  });
});

describe('assignVariant', () => {
  it('gives the same customer the same variant every time', () => {
    const variants = [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }];
    expect(ids.slice(0, 200).map((id) => assignVariant('camp', id, variants))).toEqual(ids.slice(0, 200).map((id) => assignVariant('camp', id, variants)));
  });

  it('splits 100k customers within 1 percentage point of the weights', () => {
    // Prepare
    const variants = [{ id: 'a', weight: 70 }, { id: 'b', weight: 20 }, { id: 'c', weight: 10 }];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    // Act
    for (const id of ids) counts[assignVariant('signup-anniversary', id, variants)]! += 1;
    // Assess
    expect(Math.abs((counts.a! / N) * 100 - 70)).toBeLessThan(1);
    expect(Math.abs((counts.b! / N) * 100 - 20)).toBeLessThan(1);
    expect(Math.abs((counts.c! / N) * 100 - 10)).toBeLessThan(1);
  });

  it('never picks a zero-weight variant', () => {
    const variants = [{ id: 'off', weight: 0 }, { id: 'on', weight: 100 }];
    expect(new Set(ids.slice(0, 5000).map((id) => assignVariant('camp', id, variants)))).toEqual(new Set(['on']));
  });

  it('depends on the campaign (a customer is not always in the first variant everywhere)', () => {
    const variants = [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }];
    const differs = ids.slice(0, 1000).filter((id) => assignVariant('one', id, variants) !== assignVariant('two', id, variants)).length;
    expect(differs).toBeGreaterThan(400);
    expect(differs).toBeLessThan(600);
  });

  it('refuses a variant list without positive weight', () => {
    expect(() => assignVariant('camp', 'cust', [{ id: 'a', weight: 0 }])).toThrow(/weight/);
  });
});

describe('isHeldOut', () => {
  it('holds out the given percentage within 1 percentage point over 100k ids', () => {
    const held = ids.filter((id) => isHeldOut('camp', id, 10)).length;
    expect(Math.abs((held / N) * 100 - 10)).toBeLessThan(1);
  });

  it('holds out nobody at 0 percent', () => {
    expect(ids.slice(0, 10_000).some((id) => isHeldOut('camp', id, 0))).toBe(false);
  });

  it('is independent of the variant draw', () => {
    // Prepare: with the same salt every held-out customer would sit in variant "a" (the low end of the range)
    const variants = [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }];
    // Act
    const held = ids.filter((id) => isHeldOut('camp', id, 20));
    const inA = held.filter((id) => assignVariant('camp', id, variants) === 'a').length;
    // Assess
    expect(Math.abs((inA / held.length) * 100 - 50)).toBeLessThan(2);
  });

  it('keeps a customer held out when the percentage grows', () => {
    const held10 = ids.slice(0, 20_000).filter((id) => isHeldOut('camp', id, 10));
    expect(held10.every((id) => isHeldOut('camp', id, 20))).toBe(true);
  });
});
