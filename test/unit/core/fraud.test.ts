// Fraud rules, one behaviour each: every self-referral form, existing customers, velocity, disposable domains.
import { describe, expect, it } from 'vitest';
import { fraudReasons, normalizeEmail, type FraudInput } from '../../../core/fraud.js';

const base: FraudInput = {
  advocate: { customerId: 'adv-1', email: 'olivia.smith@gmail.com', paymentFingerprint: 'fp-adv' },
  referee: { externalCustomerId: 'new-9', email: 'sam@example.com', paymentFingerprint: 'fp-new' },
  recentConversions: 0,
  velocityLimit: 5,
  disposableDomains: new Set(['mailinator.com']),
};
const check = (patch: { advocate?: Partial<FraudInput['advocate']>; referee?: Partial<FraudInput['referee']>; recentConversions?: number }) =>
  fraudReasons({ ...base, ...patch, advocate: { ...base.advocate, ...patch.advocate }, referee: { ...base.referee, ...patch.referee } });

describe('normalizeEmail', () => {
  it('drops gmail dots and +tags and folds googlemail', () => {
    expect(normalizeEmail(' Olivia.Smith+refer@GoogleMail.com ')).toBe('oliviasmith@gmail.com');
  });
  it('keeps dots for other domains but drops +tags', () => {
    expect(normalizeEmail('o.s+x@example.com')).toBe('o.s@example.com');
  });
});

describe('fraudReasons', () => {
  it('passes an ordinary referral', () => expect(check({})).toEqual([]));
  it('flags the advocate referring themself', () => expect(check({ referee: { externalCustomerId: 'adv-1' } })).toContain('self_referral_customer'));
  it('flags the same gmail address written differently', () => expect(check({ referee: { email: 'OliviaSmith+2@gmail.com' } })).toContain('self_referral_email'));
  it('flags the same payment fingerprint', () => expect(check({ referee: { paymentFingerprint: 'fp-adv' } })).toContain('self_referral_payment'));
  it('flags a referee who was already a customer', () => expect(check({ referee: { alreadyCustomer: true } })).toContain('existing_customer'));
  it('flags velocity at the limit, not below', () => {
    expect(check({ recentConversions: 4 })).toEqual([]);
    expect(check({ recentConversions: 5 })).toContain('velocity');
  });
  it('flags disposable email domains', () => expect(check({ referee: { email: 'x@mailinator.com' } })).toContain('disposable_email'));
});
