// Import rows: CSV and JSONL to Customer, with errors that name the user's column.
import { describe, expect, it } from 'vitest';
import { checkCsvHeader, csvRowToCustomer, jsonToCustomer } from '../../../core/import-rows.js';

const good = {
  id: 'c-1', firstName: 'Anna', lastName: 'Müller', email: 'anna@example.com', phone: '+4915112345678', locale: 'de-DE',
  timezone: 'Europe/Berlin', country: 'DE', signupDate: '2020-02-29', orders: '12', lifetimeSpendMinor: '45000',
  consent_email: 'true', consent_sms: 'no', preferredChannel: 'email', accountManagerName: '', attr_zip: '01234', attr_seats: '25',
};

describe('csvRowToCustomer', () => {
  it('builds a customer from flat columns', () => {
    // Act
    const r = csvRowToCustomer(good);
    // Assess
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.customer.counters).toEqual({ orders: 12, lifetimeSpendMinor: 45000, projectsCompleted: 0, successfulReferrals: 0 });
    expect(r.customer.consents).toEqual({ email: true, sms: false });
    expect(r.customer.attributes).toEqual({ zip: '01234', seats: 25 });
    expect(r.customer.accountManager).toBeUndefined();
    expect(r.hasCounters).toBe(true);
  });

  it('reports an invalid email by column name', () => {
    // Act
    const r = csvRowToCustomer({ ...good, email: 'not-an-email' });
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^email: /);
  });

  it('names the CSV column for nested fields (counters, consents)', () => {
    // Act
    const r = csvRowToCustomer({ ...good, orders: 'ten', consent_sms: 'maybe' });
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(['orders: must be a whole number (got "ten")', 'consent_sms: must be true or false (got "maybe")']);
  });

  it('rejects Feb 29 in a non-leap year and an unknown timezone', () => {
    // Act
    const r = csvRowToCustomer({ ...good, signupDate: '2021-02-29', timezone: 'Mars/Olympus' });
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.split(':')[0]).sort()).toEqual(['signupDate', 'timezone']);
  });

  it('says a row without counter columns carries no counters', () => {
    // Prepare
    const { orders: _o, lifetimeSpendMinor: _l, ...row } = good;
    // Act
    const r = csvRowToCustomer(row);
    // Assess
    expect(r.ok && r.hasCounters).toBe(false);
  });

  it('requires both account manager columns together', () => {
    const r = csvRowToCustomer({ ...good, accountManagerName: 'Sam' });
    expect(r.ok ? [] : r.errors).toEqual(['accountManagerEmail: required when accountManagerName is given']);
  });
});

describe('checkCsvHeader', () => {
  it('suggests the nearest column for a typo', () => {
    expect(checkCsvHeader(['id', 'firstName', 'timezone', 'signupDate', 'emial'])).toEqual(['column "emial": unknown column (did you mean "email"?)']);
  });

  it('accepts attr_ columns and reports missing required ones', () => {
    expect(checkCsvHeader(['id', 'attr_anything'])).toEqual([
      'column "firstName": required column is missing',
      'column "timezone": required column is missing',
      'column "signupDate": required column is missing',
    ]);
  });
});

describe('jsonToCustomer', () => {
  it('accepts the nested profile shape', () => {
    // Act
    const r = jsonToCustomer({ id: 'j-1', firstName: 'Li', timezone: 'Asia/Shanghai', signupDate: '2019-05-01', consents: { email: true } });
    // Assess
    expect(r.ok && r.customer.consents).toEqual({ email: true });
    expect(r.ok && r.hasCounters).toBe(false);
  });

  it('reports unknown fields and nested paths', () => {
    // Act
    const r = jsonToCustomer({ id: 'j-1', firstName: 'Li', timezone: 'Asia/Shanghai', signupDate: '2019-05-01', counters: { orders: -1 }, nickname: 'x' });
    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toBe('nickname: unknown field');
    expect(r.errors[1]).toMatch(/^counters\.orders: /);
  });

  it('rejects a non-object line', () => {
    expect(jsonToCustomer([1, 2])).toEqual({ ok: false, errors: ['(row): must be a JSON object'] });
  });
});
