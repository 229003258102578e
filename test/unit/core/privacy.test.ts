// The pure privacy rules: pseudonyms and keyed hashes (deterministic, keyed, rotation-proof lookups), the one function
// that takes customer ids out of event details, consent-ledger diffs of an import, and the retention arithmetic.
import { describe, expect, it } from 'vitest';
import { addressHash, consentChanges, expiresAtFor, hashedSuppressionPk, hashedSuppressionPks, parseRetentionDays, pseudonymFor, pseudonymizeEventDetail } from '../../../core/privacy.js';

const k1 = { currentKid: 'k1', keys: { k1: Buffer.from('one-secret-key-0123456789').toString('base64url') } };
const rotated = { currentKid: 'k2', keys: { ...k1.keys, k2: Buffer.from('two-secret-key-0123456789').toString('base64url') } };

describe('pseudonyms and keyed hashes', () => {
  it('a pseudonym is stable for one id and key, differs per id and per key, and does not contain the id', () => {
    const p = pseudonymFor('cus_1', k1);
    expect(p).toMatch(/^anon_[A-Za-z0-9_-]{22}$/);
    expect(pseudonymFor('cus_1', k1)).toBe(p);
    expect(pseudonymFor('cus_2', k1)).not.toBe(p);
    expect(pseudonymFor('cus_1', { currentKid: 'k2', keys: { k2: rotated.keys.k2 } })).not.toBe(p);
    expect(p).not.toContain('cus_1');
  });

  it('hashes the normalized address, so case and spacing do not matter', () => {
    expect(addressHash(' Ana@Example.COM ', k1)).toBe(addressHash('ana@example.com', k1));
    expect(addressHash('+49 151 1234-5678', k1)).toBe(addressHash('+4915112345678', k1));
    expect(hashedSuppressionPk('ana@example.com', k1)).toMatch(/^S#H#/);
  });

  it('after a key rotation, an opt-out hashed under the old key is still among the keys looked up', () => {
    const before = hashedSuppressionPk('ana@example.com', k1);
    expect(hashedSuppressionPks('ana@example.com', rotated)).toContain(before);
    expect(hashedSuppressionPks('ana@example.com', rotated)).toHaveLength(2);
  });
});

describe('pseudonymizeEventDetail', () => {
  const subjects = { subjectFor: async (id: string) => `sub_of_${id.length}` };

  it('replaces customerId by the subject id, rewrites the ask id, and maps the referee', async () => {
    const out = await pseudonymizeEventDetail({ version: 1, customerId: 'cus_42', askId: 'cus_42~signup#2026', refereeId: 'shop-7', campaignId: 'c' }, subjects);
    expect(out).toEqual({ version: 1, subjectId: 'sub_of_6', askId: 'sub_of_6~signup#2026', refereeSubjectId: 'sub_of_6', campaignId: 'c' });
  });

  it('rewrites an ask id that comes alone (delivery events), and leaves an already pseudonymous one', async () => {
    expect(await pseudonymizeEventDetail({ askId: 'cus_42~signup#2026', status: 'delivered' }, subjects)).toEqual({ askId: 'sub_of_6~signup#2026', status: 'delivered' });
    expect(await pseudonymizeEventDetail({ askId: 'sub_abc~signup#2026' }, subjects)).toEqual({ askId: 'sub_abc~signup#2026' });
  });

  it('keeps a subject id the caller already knew (no lookup) and leaves events without people alone', async () => {
    let calls = 0;
    const counting = { subjectFor: async () => `sub_${++calls}` };
    expect(await pseudonymizeEventDetail({ customerId: 'x', subjectId: 'sub_known' }, counting)).toEqual({ subjectId: 'sub_known' });
    expect(await pseudonymizeEventDetail({ clickId: 'k', referralCode: 'r' }, counting)).toEqual({ clickId: 'k', referralCode: 'r' });
    expect(calls).toBe(0);
  });
});

describe('consent ledger entries of an import', () => {
  const at = '2026-11-30T10:00:00.000Z';
  it('records every stated consent of a new customer, and a global opt-out', () => {
    expect(consentChanges(undefined, { consents: { email: true, sms: false }, optOut: true }, at, 'import')).toEqual([
      { at, source: 'import', channel: 'email', granted: true },
      { at, source: 'import', channel: 'sms', granted: false },
      { at, source: 'import', channel: 'all', granted: false },
    ]);
  });
  it('records only what changed on re-import', () => {
    expect(consentChanges({ consents: { email: true, sms: true }, optOut: false }, { consents: { email: false, sms: true }, optOut: false }, at, 'import')).toEqual([{ at, source: 'import', channel: 'email', granted: false }]);
    expect(consentChanges({ consents: { email: true }, optOut: false }, { consents: { email: true }, optOut: false }, at, 'import')).toEqual([]);
  });
});

describe('retention', () => {
  it('expiresAt is epoch seconds the given days after the write', () => {
    expect(expiresAtFor('2026-01-01T00:00:00Z', 180)).toBe(Date.parse('2026-06-30T00:00:00Z') / 1000);
  });
  it('RETENTION_DAYS: default 180, refuses what is not a positive number', () => {
    expect(parseRetentionDays(undefined)).toBe(180);
    expect(parseRetentionDays('30')).toBe(30);
    expect(() => parseRetentionDays('0')).toThrow(/positive/);
    expect(() => parseRetentionDays('soon')).toThrow(/positive/);
  });
});
