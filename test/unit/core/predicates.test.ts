// Audience predicates over profile fields, counters and custom attributes.
import { describe, expect, it } from 'vitest';
import { describePredicate, evaluatePredicate, fieldValue, firstFailing, matchesAll } from '../../../core/predicates.js';
import type { Predicate } from '../../../core/schemas/campaign.js';
import { makeCustomer } from './fixtures.js';

const customer = makeCustomer({
  plan: 'pro',
  tier: 'gold',
  country: 'DE',
  counters: { orders: 12, lifetimeSpendMinor: 150_000, projectsCompleted: 2, successfulReferrals: 1 },
  attributes: { industry: 'retail', seats: '25', beta: true },
});

describe('fieldValue', () => {
  it('reads profile fields, counters by short and long name, and attributes', () => {
    expect(fieldValue(customer, 'plan')).toBe('pro');
    expect(fieldValue(customer, 'orders')).toBe(12);
    expect(fieldValue(customer, 'counters.lifetimeSpendMinor')).toBe(150_000);
    expect(fieldValue(customer, 'attributes.industry')).toBe('retail');
  });

  it('gives undefined for unknown fields and object-valued fields', () => {
    expect(fieldValue(customer, 'nope')).toBeUndefined();
    expect(fieldValue(customer, 'consents')).toBeUndefined();
    expect(fieldValue(customer, 'toString')).toBeUndefined();
  });
});

describe('evaluatePredicate', () => {
  it.each<[Predicate, boolean]>([
    [{ field: 'plan', op: 'eq', value: 'pro' }, true],
    [{ field: 'plan', op: 'eq', value: 'free' }, false],
    [{ field: 'plan', op: 'neq', value: 'free' }, true],
    [{ field: 'tier', op: 'in', value: ['gold', 'platinum'] }, true],
    [{ field: 'tier', op: 'nin', value: ['gold'] }, false],
    [{ field: 'country', op: 'in', value: ['FR'] }, false],
    [{ field: 'orders', op: 'gte', value: 12 }, true],
    [{ field: 'orders', op: 'gt', value: 12 }, false],
    [{ field: 'lifetimeSpendMinor', op: 'lt', value: 150_001 }, true],
    [{ field: 'lifetimeSpendMinor', op: 'lte', value: 149_999 }, false],
    [{ field: 'attributes.seats', op: 'gte', value: 20 }, true],
    [{ field: 'attributes.seats', op: 'eq', value: 25 }, true],
    [{ field: 'attributes.beta', op: 'eq', value: true }, true],
    [{ field: 'signupDate', op: 'lt', value: '2021-01-01' }, true],
    [{ field: 'attributes.industry', op: 'exists' }, true],
    [{ field: 'attributes.region', op: 'missing' }, true],
    [{ field: 'plan', op: 'gt', value: true }, false],
  ])('%j is %s', (p, expected) => {
    expect(evaluatePredicate(p, customer)).toBe(expected);
  });

  it('treats a missing field as matching only neq, nin and missing', () => {
    const bare = makeCustomer();
    expect(evaluatePredicate({ field: 'plan', op: 'eq', value: 'pro' }, bare)).toBe(false);
    expect(evaluatePredicate({ field: 'plan', op: 'neq', value: 'pro' }, bare)).toBe(true);
    expect(evaluatePredicate({ field: 'plan', op: 'nin', value: ['pro'] }, bare)).toBe(true);
    expect(evaluatePredicate({ field: 'plan', op: 'gte', value: 'a' }, bare)).toBe(false);
  });

  it('does not compare a non-numeric string with a number', () => {
    expect(evaluatePredicate({ field: 'attributes.industry', op: 'gt', value: 3 }, customer)).toBe(false);
  });
});

describe('matchesAll / firstFailing', () => {
  it('matches everyone with no predicates', () => {
    expect(matchesAll([], customer)).toBe(true);
  });

  it('requires every predicate and names the first that fails', () => {
    const preds: Predicate[] = [
      { field: 'plan', op: 'eq', value: 'pro' },
      { field: 'country', op: 'in', value: ['FR', 'NL'] },
    ];
    expect(matchesAll(preds, customer)).toBe(false);
    expect(describePredicate(firstFailing(preds, customer)!)).toBe('country in [FR,NL]');
  });
});
