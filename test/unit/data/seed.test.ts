// Demo data: valid, deterministic, realistically spread, and with customers due today.
import { describe, expect, it } from 'vitest';
import { generateCustomers, mulberry32 } from '../../../core/seed.js';
import { Customer } from '../../../core/schemas/customer.js';

const today = '2025-06-15';
const customers = generateCustomers({ count: 10_000, seed: 42, today });

describe('generateCustomers', () => {
  it('produces only valid customers', () => {
    const invalid = customers.filter((c) => !Customer.safeParse(c).success);
    expect(invalid).toHaveLength(0);
  });

  it('is deterministic: same seed, same customers and ids', () => {
    const again = generateCustomers({ count: 200, seed: 42, today });
    expect(again).toEqual(customers.slice(0, 200));
  });

  it('gives different customers for another seed', () => {
    const other = generateCustomers({ count: 50, seed: 43, today });
    expect(other.map((c) => c.firstName + c.signupDate)).not.toEqual(customers.slice(0, 50).map((c) => c.firstName + c.signupDate));
  });

  it('makes about 1% of customers due for their signup anniversary today', () => {
    const due = customers.filter((c) => c.signupDate.slice(5) === '06-15' && c.signupDate < today).length;
    expect(due).toBeGreaterThan(70);
    expect(due).toBeLessThan(250);
  });

  it('includes some Feb 29 signups', () => {
    expect(customers.filter((c) => c.signupDate.slice(5) === '02-29').length).toBeGreaterThan(5);
  });

  it('spreads signups over the past 8 years and never into the future', () => {
    const years = new Set(customers.map((c) => c.signupDate.slice(0, 4)));
    expect(years.size).toBeGreaterThanOrEqual(8);
    expect(customers.every((c) => c.signupDate <= today)).toBe(true);
  });

  it('uses about 30 zones, Berlin and New York among the most common', () => {
    const byZone = new Map<string, number>();
    for (const c of customers) byZone.set(c.timezone, (byZone.get(c.timezone) ?? 0) + 1);
    const top = [...byZone.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([z]) => z);
    expect(byZone.size).toBeGreaterThanOrEqual(28);
    expect(top).toContain('America/New_York');
    expect(top).toContain('Europe/Berlin');
  });

  it('has consent rates near email 85%, sms 40%, in-app 60%', () => {
    const share = (ch: 'email' | 'sms' | 'in_app') => customers.filter((c) => c.consents[ch]).length / customers.length;
    expect(share('email')).toBeGreaterThan(0.75);
    expect(share('email')).toBeLessThan(0.9);
    expect(share('sms')).toBeGreaterThan(0.33);
    expect(share('sms')).toBeLessThan(0.47);
    expect(share('in_app')).toBeGreaterThan(0.55);
    expect(share('in_app')).toBeLessThan(0.65);
  });

  it('has some opt-outs, B2B accounts with an account manager, and reserved example domains only', () => {
    expect(customers.some((c) => c.optOut)).toBe(true);
    expect(customers.some((c) => c.doNotAsk)).toBe(true);
    const b2b = customers.filter((c) => c.plan === 'business' || c.plan === 'enterprise');
    expect(b2b.length).toBeGreaterThan(500);
    expect(b2b.every((c) => c.accountManager !== undefined && typeof c.attributes.arr === 'number')).toBe(true);
    expect(customers.every((c) => c.email === undefined || /@example\.(com|org|net)$/.test(c.email))).toBe(true);
  });

  it('matches locale to zone', () => {
    const tokyo = customers.find((c) => c.timezone === 'Asia/Tokyo');
    expect(tokyo?.locale).toBe('ja-JP');
    expect(tokyo?.phone === undefined || tokyo.phone.startsWith('+81')).toBe(true);
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for the same seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
