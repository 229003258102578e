// Channel choice: assisted rule, preferred channel, fallback order, consent, addresses and suppression.
import { describe, expect, it } from 'vitest';
import { chooseChannel, isValidE164, isValidEmail } from '../../../core/channels.js';
import type { CustomerInput } from '../../../core/schemas/customer.js';
import type { CampaignInput } from '../../../core/schemas/campaign.js';
import { makeCampaign, makeCustomer } from './fixtures.js';

const choose = (customer: Partial<CustomerInput>, suppressed: { email?: boolean; phone?: boolean } = {}, campaign: Partial<CampaignInput> = {}) =>
  chooseChannel({ campaign: makeCampaign(campaign), customer: makeCustomer(customer), suppressed });

describe('isValidEmail', () => {
  it.each(['ada@example.com', 'a.b+tag@mail.example.co.uk', "o'neil@example.org"])('accepts %s', (e) => {
    expect(isValidEmail(e)).toBe(true);
  });
  it.each(['', 'ada', 'ada@', '@example.com', 'ada@example', 'a..b@example.com', '.a@example.com', 'a b@example.com', 'ada@-example.com', `${'a'.repeat(65)}@example.com`, undefined])(
    'rejects %s',
    (e) => {
      expect(isValidEmail(e)).toBe(false);
    },
  );
});

describe('isValidE164', () => {
  it.each(['+4915112345678', '+14155550123', '+1234567'])('accepts %s', (p) => expect(isValidE164(p)).toBe(true));
  it.each(['4915112345678', '+0151123456', '+49 151 123', '+1234567890123456', '+123456', undefined])('rejects %s', (p) => expect(isValidE164(p)).toBe(false));
});

describe('chooseChannel', () => {
  it('uses the preferred channel when consented and deliverable', () => {
    expect(choose({ preferredChannel: 'sms' })).toEqual({ channel: 'sms', reason: 'preferred' });
  });

  it('uses the first fallback when there is no preferred channel', () => {
    expect(choose({})).toEqual({ channel: 'email', reason: 'fallback:email' });
  });

  it('falls back and says why the preferred channel was passed over', () => {
    const r = choose({ preferredChannel: 'email', consents: { email: false, sms: true } });
    expect(r).toEqual({ channel: 'sms', reason: 'fallback:sms (email: no consent)' });
  });

  it('passes over a suppressed preferred address', () => {
    expect(choose({ preferredChannel: 'email' }, { email: true })).toEqual({ channel: 'sms', reason: 'fallback:sms (email: suppressed)' });
  });

  it('ignores the preferred channel when the campaign does not use it', () => {
    const r = choose({ preferredChannel: 'sms' }, {}, { channels: { usePreferred: false, fallback: ['email', 'sms'] } });
    expect(r).toEqual({ channel: 'email', reason: 'fallback:email' });
  });

  it('uses in_app on consent alone (no address needed)', () => {
    const r = choose({ preferredChannel: 'in_app', email: undefined, phone: undefined, consents: { in_app: true } });
    expect(r).toEqual({ channel: 'in_app', reason: 'preferred' });
  });

  it('passes over a preferred channel the variants have no template for', () => {
    const campaign = makeCampaign();
    for (const v of campaign.variants) delete v.templates.in_app;
    const r = chooseChannel({ campaign, customer: makeCustomer({ preferredChannel: 'in_app' }), suppressed: {} });
    expect(r).toEqual({ channel: 'email', reason: 'fallback:email (in_app: no template)' });
  });

  it('routes to the account manager when the assisted rule matches', () => {
    const r = choose(
      { plan: 'enterprise', accountManager: { name: 'Max', email: 'max@example.com' } },
      {},
      { channels: { usePreferred: true, fallback: ['email'], assisted: { when: [{ field: 'plan', op: 'eq', value: 'enterprise' }] } } },
    );
    expect(r).toEqual({ channel: 'account_manager', reason: 'assisted_rule' });
  });

  it('passes over a preferred account manager when the campaign does not route to account managers', () => {
    // Prepare: a customer who prefers their account manager, a campaign with email only and no assisted rule
    const r = choose({ preferredChannel: 'account_manager', accountManager: { name: 'Max', email: 'max@example.com' } });
    // Assess
    expect(r).toEqual({ channel: 'email', reason: 'fallback:email (account_manager: campaign does not use account managers)' });
  });

  it('ignores the assisted rule for a customer without an account manager', () => {
    const r = choose({ plan: 'enterprise' }, {}, { channels: { usePreferred: true, fallback: ['email'], assisted: { when: [{ field: 'plan', op: 'eq', value: 'enterprise' }] } } });
    expect(r).toEqual({ channel: 'email', reason: 'fallback:email' });
  });

  it('does not need consent when the campaign does not require it', () => {
    const r = choose({ consents: {} }, {}, { eligibility: { requireConsent: false, cooldownDays: 30, frequencyCap: { maxAsks: 3, windowDays: 365 }, holdoutPercent: 0 } });
    expect(r).toEqual({ channel: 'email', reason: 'fallback:email' });
  });

  it('skips with no_consented_channel when nothing is consented', () => {
    expect(choose({ consents: {} })).toMatchObject({ skip: 'no_consented_channel' });
  });

  it('skips with invalid_address when every consented channel lacks a valid address', () => {
    const r = choose({ email: undefined, phone: undefined });
    expect(r).toMatchObject({ skip: 'invalid_address' });
  });

  it('skips with suppressed when the deliverable channels are all suppressed', () => {
    expect(choose({}, { email: true, phone: true })).toMatchObject({ skip: 'suppressed' });
  });

  it('prefers suppressed over invalid_address when one channel is suppressed and the other has no address', () => {
    const r = choose({ phone: undefined }, { email: true });
    expect(r).toMatchObject({ skip: 'suppressed', detail: 'email: suppressed; sms: no phone number' });
  });

  it('ignores a suppressed phone when email can be used', () => {
    expect(choose({ preferredChannel: 'sms' }, { phone: true })).toEqual({ channel: 'email', reason: 'fallback:email (sms: suppressed)' });
  });
});
