// Eligibility: each rule in SKIP_REASONS order, quiet hours across midnight and DST, holdout, budget, history.
import { describe, expect, it } from 'vitest';
import { evaluateEligibility, pruneAskHistory, quietHoursEnd, recordAsk, type EligibilityInput } from '../../../core/eligibility.js';
import { isHeldOut } from '../../../core/assignment.js';
import type { CampaignInput } from '../../../core/schemas/campaign.js';
import type { CustomerInput } from '../../../core/schemas/customer.js';
import { makeCampaign, makeCustomer } from './fixtures.js';

// 12:00 in Berlin (CEST): outside every quiet window used below.
const NOW = new Date('2025-06-10T10:00:00Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const eligibility = (over: Partial<NonNullable<CampaignInput['eligibility']>>) => ({ requireConsent: true, cooldownDays: 30, frequencyCap: { maxAsks: 3, windowDays: 365 }, holdoutPercent: 0, ...over });

function decide(opts: { campaign?: Partial<CampaignInput>; customer?: Partial<CustomerInput>; input?: Partial<EligibilityInput> } = {}) {
  return evaluateEligibility({
    campaign: makeCampaign(opts.campaign),
    customer: makeCustomer(opts.customer),
    history: { recentAskAts: [] },
    suppressed: {},
    now: NOW,
    ...opts.input,
  });
}

// A customer id that the 10% holdout keeps (and one it does not), found by the real hash.
const heldId = Array.from({ length: 1000 }, (_, i) => `c-${i}`).find((id) => isHeldOut('signup-anniversary', id, 10))!;
const askedId = Array.from({ length: 1000 }, (_, i) => `c-${i}`).find((id) => !isHeldOut('signup-anniversary', id, 10))!;

describe('evaluateEligibility', () => {
  it('asks an eligible customer over the chosen channel with a variant', () => {
    const d = decide();
    expect(d).toMatchObject({ outcome: 'ask', channel: 'email', channelReason: 'fallback:email' });
    expect(['warm', 'proud']).toContain((d as { variantId: string }).variantId);
  });

  it('skips an inactive campaign first', () => {
    expect(decide({ campaign: { status: 'paused' }, customer: { optOut: true } })).toMatchObject({ outcome: 'skip', reason: 'campaign_inactive' });
  });

  it('skips opted-out customers before do-not-ask', () => {
    expect(decide({ customer: { optOut: true, doNotAsk: true } })).toMatchObject({ reason: 'opted_out' });
  });

  it('skips customers who asked not to be asked', () => {
    expect(decide({ customer: { doNotAsk: true } })).toMatchObject({ reason: 'do_not_ask' });
  });

  it('reports channel problems before audience rules', () => {
    const d = decide({ customer: { consents: {}, plan: 'free' }, campaign: { audience: { all: [{ field: 'plan', op: 'eq', value: 'pro' }], excludeOpenSupportTicket: true } } });
    expect(d).toMatchObject({ reason: 'no_consented_channel' });
  });

  it('skips suppressed addresses', () => {
    expect(decide({ input: { suppressed: { email: true, phone: true } } })).toMatchObject({ reason: 'suppressed' });
  });

  it('skips customers outside the audience and names the predicate', () => {
    const d = decide({ customer: { plan: 'free' }, campaign: { audience: { all: [{ field: 'plan', op: 'eq', value: 'pro' }], excludeOpenSupportTicket: true } } });
    expect(d).toEqual({ outcome: 'skip', reason: 'audience_mismatch', detail: 'plan eq pro' });
  });

  it('skips a refund inside the window and not one just outside it', () => {
    const campaign = { audience: { all: [], excludeRefundWithinDays: 30, excludeOpenSupportTicket: true } };
    expect(decide({ campaign, customer: { lastRefundAt: ago(29) } })).toMatchObject({ reason: 'recent_refund' });
    expect(decide({ campaign, customer: { lastRefundAt: ago(30) } })).toMatchObject({ outcome: 'ask' });
  });

  it('skips open support tickets unless the campaign allows them', () => {
    expect(decide({ customer: { openSupportTicket: true } })).toMatchObject({ reason: 'open_support_ticket' });
    expect(decide({ customer: { openSupportTicket: true }, campaign: { audience: { all: [], excludeOpenSupportTicket: false } } })).toMatchObject({ outcome: 'ask' });
  });

  it('applies the cooldown up to its last millisecond', () => {
    const justInside = new Date(NOW.getTime() - 30 * DAY + 1).toISOString();
    expect(decide({ input: { history: { lastAskAt: justInside, recentAskAts: [justInside] } } })).toMatchObject({ reason: 'cooldown' });
    expect(decide({ input: { history: { lastAskAt: ago(30), recentAskAts: [ago(30)] } } })).toMatchObject({ outcome: 'ask' });
  });

  it('applies the frequency cap at maxAsks within the window', () => {
    const recentAskAts = [ago(300), ago(200), ago(100)];
    expect(decide({ input: { history: { lastAskAt: ago(100), recentAskAts } } })).toMatchObject({ reason: 'frequency_cap' });
  });

  it('lets an ask through when the oldest one left the window', () => {
    const recentAskAts = [ago(365), ago(200), ago(100)];
    expect(decide({ input: { history: { lastAskAt: ago(100), recentAskAts } } })).toMatchObject({ outcome: 'ask' });
  });

  it('defers inside quiet hours that cross midnight to their end in the customer’s zone', () => {
    // Prepare: 23:30 in Berlin (CEST)
    const now = new Date('2025-06-10T21:30:00Z');
    // Act
    const d = decide({ campaign: { eligibility: eligibility({ quietHours: { start: '21:00', end: '08:00' } }) }, input: { now } });
    // Assess: 08:00 CEST next morning
    expect(d).toEqual({ outcome: 'defer', until: '2025-06-11T06:00:00.000Z', reason: 'quiet_hours' });
  });

  it('defers after midnight to the same morning', () => {
    const d = decide({ campaign: { eligibility: eligibility({ quietHours: { start: '21:00', end: '08:00' } }) }, input: { now: new Date('2025-06-11T01:00:00Z') } });
    expect(d).toMatchObject({ outcome: 'defer', until: '2025-06-11T06:00:00.000Z' });
  });

  it('uses the customer’s own zone for quiet hours (Auckland vs Los Angeles)', () => {
    // Prepare: 10:00Z is 22:00 in Auckland (quiet) and 03:00 in Los Angeles (quiet) but 12:00 in Berlin
    const campaign = { eligibility: eligibility({ quietHours: { start: '21:00', end: '08:00' } }) };
    // Act
    const nz = decide({ campaign, customer: { timezone: 'Pacific/Auckland' } });
    const la = decide({ campaign, customer: { timezone: 'America/Los_Angeles' } });
    const berlin = decide({ campaign });
    // Assess
    expect(nz).toMatchObject({ outcome: 'defer', until: '2025-06-10T20:00:00.000Z' });
    expect(la).toMatchObject({ outcome: 'defer', until: '2025-06-10T15:00:00.000Z' });
    expect(berlin).toMatchObject({ outcome: 'ask' });
  });

  it('holds out customers by the deterministic hash and still assigns a variant', () => {
    const campaign = { eligibility: eligibility({ holdoutPercent: 10 }) };
    expect(decide({ campaign, customer: { id: heldId } })).toMatchObject({ outcome: 'holdout', variantId: expect.any(String) });
    expect(decide({ campaign, customer: { id: askedId } })).toMatchObject({ outcome: 'ask' });
  });

  it('skips an occurrence that was already asked, last of all', () => {
    expect(decide({ input: { alreadyAsked: true } })).toMatchObject({ reason: 'already_asked' });
  });
});

describe('quietHoursEnd', () => {
  it('is undefined outside the window and at its end', () => {
    expect(quietHoursEnd({ start: '21:00', end: '08:00' }, new Date('2025-06-10T06:00:00Z'), 'Europe/Berlin')).toBeUndefined();
    expect(quietHoursEnd({ start: '21:00', end: '08:00' }, new Date('2025-06-10T18:59:00Z'), 'Europe/Berlin')).toBeUndefined();
  });

  it('starts at the start minute', () => {
    expect(quietHoursEnd({ start: '21:00', end: '08:00' }, new Date('2025-06-10T19:00:00Z'), 'Europe/Berlin')).toBe('2025-06-11T06:00:00.000Z');
  });

  it('handles a window within one day', () => {
    expect(quietHoursEnd({ start: '12:00', end: '14:00' }, new Date('2025-06-10T10:30:00Z'), 'Europe/Berlin')).toBe('2025-06-10T12:00:00.000Z');
  });

  it('treats start == end as no quiet hours', () => {
    expect(quietHoursEnd({ start: '08:00', end: '08:00' }, new Date('2025-06-10T06:00:00Z'), 'Europe/Berlin')).toBeUndefined();
  });

  it('ends at the right UTC instant across the spring-forward night in Berlin', () => {
    // 23:00 CET on 2025-03-29; 08:00 next morning is already CEST (UTC+2)
    expect(quietHoursEnd({ start: '21:00', end: '08:00' }, new Date('2025-03-29T22:00:00Z'), 'Europe/Berlin')).toBe('2025-03-30T06:00:00.000Z');
  });

  it('moves an end inside the DST gap forward instead of before it', () => {
    // Quiet 01:00-02:30 on the night 02:00-03:00 does not exist in Berlin: ends at 03:30 CEST = 01:30Z
    expect(quietHoursEnd({ start: '01:00', end: '02:30' }, new Date('2025-03-30T00:30:00Z'), 'Europe/Berlin')).toBe('2025-03-30T01:30:00.000Z');
  });
});

describe('ask history', () => {
  it('records an ask and prunes entries older than the window', () => {
    // Prepare
    const history = { lastAskAt: ago(400), recentAskAts: [ago(400), ago(10)] };
    // Act
    const next = recordAsk(history, NOW, 365);
    // Assess
    expect(next).toEqual({ lastAskAt: NOW.toISOString(), recentAskAts: [ago(10), NOW.toISOString()] });
  });

  it('never moves lastAskAt backwards', () => {
    const later = new Date(NOW.getTime() + DAY).toISOString();
    expect(recordAsk({ lastAskAt: later, recentAskAts: [later] }, NOW, 365).lastAskAt).toBe(later);
  });

  it('prunes without adding', () => {
    expect(pruneAskHistory({ recentAskAts: [ago(5), ago(50)] }, NOW, 30)).toEqual({ recentAskAts: [ago(5)] });
  });
});
