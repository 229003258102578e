// `asks simulate` in npm test: two weeks of every active campaign's hourly schedule on the local stack (1008
// executions), with injected crashes, SES throttling and kills at every kind of point (before and after an ask's claim,
// after its send marker, after the provider accepted the email, mid-Summarize), a fixed seed, few customers. Passes
// only with zero violations of every invariant. Regression seeds: each found a bug that is fixed (see the comments).
import { describe, expect, it } from 'vitest';
import { KILL_POINTS, simulate } from '../../../local/simulate.js';
import { checkInvariants, type ObservedSend } from '../../../local/sim-oracle.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { Customer } from '../../../core/schemas/customer.js';
import { Campaign } from '../../../core/schemas/campaign.js';
import { describeViolations } from './helpers.js';

const SEED = 1;

describe('asks simulate, 14 days', () => {
  it('with crashes (p 0.1), throttling and kills of every kind: every invariant holds', { timeout: 600_000 }, async () => {
    // Kills mostly at the ask's points (Summarize is reached by every execution, the ask's points only by those that ask).
    const report = await simulate({ days: 14, seed: SEED, customers: 20, faults: { crash: 0.1, throttle: 0.3, kill: 0.5 }, killWeights: { summarize: 0.1 } });
    expect(report.sent).toBeGreaterThan(5);
    expect(report.expectedOccurrences).toBeGreaterThan(10);
    expect(report.injected.throttle).toBeGreaterThan(0);
    for (const point of KILL_POINTS) expect(report.kills[point] ?? 0, `kills ${point}`).toBeGreaterThan(0);
    expect(describeViolations(report.violations)).toBe('');
  });
});

describe('the oracle can fail', () => {
  it('reports a message sent against an opt-out, a duplicate and a missed eligible customer', async () => {
    const campaign = (await new FileCampaignRepository().get('signup-anniversary'))!;
    const customer = (id: string) => Customer.parse({ id, firstName: id, email: `${id}@example.com`, timezone: 'UTC', country: 'DE', signupDate: '2024-03-02', consents: { email: true } });
    const send = (customerId: string, hour: string): ObservedSend => ({ hour, campaignId: campaign.id, customerId, askId: `${customerId}~signup_anniversary#2026`, occurrenceId: 'signup_anniversary#2026', channel: 'email', at: hour, messageId: `m-${customerId}-${hour}` });
    const report = checkInvariants({
      start: '2026-03-01T00:00:00.000Z',
      hours: 72,
      campaigns: [campaign],
      customers: [customer('a'), customer('b'), customer('c')],
      events: [{ type: 'opt_out', customerId: 'a', at: '2026-03-01T12:00:00.000Z' }],
      sends: [send('a', '2026-03-02T10:00:00.000Z'), send('b', '2026-03-02T10:00:00.000Z'), send('b', '2026-03-02T11:00:00.000Z')],
      asks: [],
      runs: [],
      rewards: [],
      faults: [],
    });
    const by = (name: string) => report.violations.filter((v) => v.invariant === name).map((v) => `${v.customerId}: ${v.detail}`);
    expect(by('never_against_rules')).toEqual([expect.stringMatching(/^a: .*do_not_ask/), expect.stringMatching(/^b: .*cooldown/)]);
    expect(by('asked_once')).toEqual([expect.stringMatching(/^b: 2 messages/), expect.stringMatching(/^c: eligible .* no message/)]);
    // Messages whose ask is recorded nowhere (a and b), none for a sent ask without one.
    expect(by('run_totals')).toEqual([expect.stringMatching(/^a: a message went out .* recorded nowhere/), expect.stringMatching(/^b: a message went out .* recorded nowhere/)]);
  });
});

describe('run_totals can fail', () => {
  it('reports run records that do not add up, a sent ask without its message and a claim no run settled', async () => {
    const campaign = (await new FileCampaignRepository().get('signup-anniversary'))!;
    const ask = (customerId: string, status: string, updatedAt: string) => ({ askId: `${customerId}~signup_anniversary#2026`, customerId, campaignId: campaign.id, occurrenceId: 'signup_anniversary#2026', status, runId: 'r', updatedAt });
    const report = checkInvariants({
      start: '2026-03-01T00:00:00.000Z',
      hours: 48,
      campaigns: [campaign],
      customers: [],
      events: [],
      sends: [],
      asks: [ask('x', 'sent', '2026-03-01T10:00:00.000Z'), ask('y', 'claimed', '2026-03-01T10:00:00.000Z')],
      runs: [{ campaignId: campaign.id, runId: 'r', totals: { sent: 2 } }],
      rewards: [],
      faults: [],
    });
    const details = report.violations.filter((v) => v.invariant === 'run_totals').map((v) => `${v.customerId ?? ''}: ${v.detail}`);
    expect(details).toEqual([
      expect.stringMatching(/^: run records count 2 sent, ask records 1 sent/),
      expect.stringMatching(/^x: ask recorded sent but no message went out/),
      expect.stringMatching(/^y: claimed at .* still claimed after the fault-free run at 2026-03-01T11:00/),
    ]);
  });
});

describe('budget_stop can fail', () => {
  it('allows a smaller ask after a larger one was skipped for budget, and reports an ask as large as one skipped before it', async () => {
    // Tiers: €10 under five years, €30 from five; the friend gets €10; rate 1. So a 2-year advocate reserves €20 and a
    // 10-year advocate €40.
    const base = (await new FileCampaignRepository().get('signup-anniversary'))!;
    const campaign = Campaign.parse({
      ...base,
      offer: { ...base.offer, amountMinor: 1000 },
      reward: { ...base.reward, tenureTiers: [{ minYears: 1, maxYears: 4, amountMinor: 1000, label: 'young' }, { minYears: 5, amountMinor: 3000, label: 'old' }], referralTiers: [] },
      budget: { amountMinor: 3000, currency: 'EUR', conversionRate: 1 },
    });
    const customer = (id: string, signupDate: string) => Customer.parse({ id, firstName: id, email: `${id}@example.com`, timezone: 'UTC', country: 'DE', signupDate, consents: { email: true } });
    const occurrenceId = 'signup_anniversary#2026';
    const send = (customerId: string, hour: string): ObservedSend => ({ hour, campaignId: campaign.id, customerId, askId: `${customerId}~${occurrenceId}`, occurrenceId, channel: 'email', at: hour, messageId: `m-${customerId}` });
    const ask = (customerId: string, status: string, updatedAt: string, skipReason?: string) => ({ askId: `${customerId}~${occurrenceId}`, customerId, campaignId: campaign.id, occurrenceId, status, runId: 'r', updatedAt, ...(skipReason ? { skipReason } : {}) });
    // Anniversaries on 03-02 (young, old) and 03-03 (young2, old2).
    const customers = [customer('old', '2016-03-02'), customer('young', '2024-03-02'), customer('young2', '2024-03-03'), customer('old2', '2016-03-03')];
    const report = checkInvariants({
      start: '2026-03-01T00:00:00.000Z',
      hours: 96,
      campaigns: [campaign],
      customers,
      events: [],
      sends: [send('young', '2026-03-02T10:00:00.000Z'), send('old2', '2026-03-03T10:00:00.000Z')],
      asks: [
        ask('old', 'skipped', '2026-03-02T09:59:00.000Z', 'budget_exhausted'),
        ask('young', 'sent', '2026-03-02T10:00:00.000Z'),
        ask('young2', 'skipped', '2026-03-03T09:59:00.000Z', 'budget_exhausted'),
        ask('old2', 'sent', '2026-03-03T10:00:00.000Z'),
      ],
      runs: [],
      rewards: [],
      faults: [],
    });
    const details = report.violations.filter((v) => v.invariant === 'budget_stop').map((v) => `${v.customerId}: ${v.detail}`);
    // young (€20) after old (€40) was refused is fine; old2 (€40) after old (€40) or young2 (€20) was refused is not.
    expect(details).toEqual([expect.stringMatching(/^old2: asked at 2026-03-03T10:00:00.000Z reserving 4000 after the budget said stop to an ask reserving (2000|4000)/)]);

    // Within one run the read order decides: a skip stamped at the run's instant beside an ask accepted a millisecond
    // later is not a stop that came before it.
    const sameRun = checkInvariants({
      start: '2026-03-01T00:00:00.000Z',
      hours: 96,
      campaigns: [campaign],
      customers,
      events: [],
      sends: [{ ...send('old', '2026-03-02T10:00:00.000Z'), at: '2026-03-02T10:00:00.001Z' }],
      asks: [ask('young', 'skipped', '2026-03-02T10:00:00.000Z', 'budget_exhausted'), ask('old', 'sent', '2026-03-02T10:00:00.001Z')],
      runs: [],
      rewards: [],
      faults: [],
    });
    expect(sameRun.violations.filter((v) => v.invariant === 'budget_stop')).toEqual([]);

    // Booked past the €30 budget: allowed for the part flagged overrun (a promise kept), reported beyond that.
    const reward = (amountMinor: number, overrun: boolean) => ({ campaignId: campaign.id, advocateId: 'young', beneficiary: 'advocate' as const, amountMinor, state: 'held', ...(overrun ? { overrun: true } : {}) });
    const booked = (rewards: ReturnType<typeof reward>[]) =>
      checkInvariants({ start: '2026-03-01T00:00:00.000Z', hours: 96, campaigns: [campaign], customers, events: [], sends: [], asks: [], runs: [], rewards, faults: [] })
        .violations.filter((v) => v.invariant === 'budget_stop').map((v) => v.detail);
    expect(booked([reward(2000, false), reward(2000, true)])).toEqual([]);
    expect(booked([reward(2000, false), reward(2000, false)])).toEqual([expect.stringMatching(/^4000 booked against a budget of 3000 \(minor units\), 0 of it flagged overrun: 1000 past the budget/)]);
  });
});

describe('a fault that pushes an ask into quiet hours', () => {
  it('moves the deadline to the end of the quiet hours, and still reports an ask later than that', async () => {
    // Due at 18:00 UTC, quiet hours 19:00-08:00: the run at 18:00 was killed, so the next run (19:00) is in the quiet
    // hours and the ask waits until 08:00 the next day; 09:00 is late.
    const base = (await new FileCampaignRepository().get('signup-anniversary'))!;
    const campaign = Campaign.parse({
      ...base,
      schedule: { ...base.schedule, sendHour: 18 },
      audience: undefined,
      eligibility: { ...base.eligibility, holdoutPercent: 0, quietHours: { start: '19:00', end: '08:00' } },
    });
    const customer = (id: string) => Customer.parse({ id, firstName: id, email: `${id}@example.com`, timezone: 'UTC', country: 'DE', signupDate: '2024-03-02', consents: { email: true } });
    const occurrenceId = 'signup_anniversary#2026';
    const send = (customerId: string, hour: string): ObservedSend => ({ hour, campaignId: campaign.id, customerId, askId: `${customerId}~${occurrenceId}`, occurrenceId, channel: 'email', at: hour, messageId: `m-${customerId}` });
    const report = checkInvariants({
      start: '2026-03-02T00:00:00.000Z',
      hours: 48,
      campaigns: [campaign],
      customers: [customer('a'), customer('b')],
      events: [],
      sends: [send('a', '2026-03-03T08:00:00.000Z'), send('b', '2026-03-03T09:00:00.000Z')],
      asks: [],
      runs: [],
      rewards: [],
      faults: [{ campaignId: campaign.id, hour: '2026-03-02T18:00:00.000Z', kind: 'kill', point: 'summarize' }],
    });
    const late = report.violations.filter((v) => v.invariant === 'asked_once').map((v) => `${v.customerId}: ${v.detail}`);
    expect(late).toEqual([expect.stringMatching(/^b: asked at 2026-03-03T09:00:00.000Z, due 2026-03-02T18:00:00.000Z; the first run without a fault was 2026-03-03T08:00:00.000Z/)]);
  });
});
