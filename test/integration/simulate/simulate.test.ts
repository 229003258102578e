// `asks simulate` in npm test: a week of every active campaign's hourly schedule on the local stack (504 executions),
// with injected crashes, SES throttling and kills, a fixed seed, few customers. Passes only with zero violations of
// every invariant.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../local/simulate.js';
import { checkInvariants, type ObservedSend } from '../../../local/sim-oracle.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { Customer } from '../../../core/schemas/customer.js';
import { describeViolations } from './helpers.js';

describe('asks simulate, 7 days', () => {
  it('seed 1 with crashes, throttling and kills: every invariant holds', { timeout: 300_000 }, async () => {
    const report = await simulate({ days: 7, seed: 1, customers: 10, faults: { crash: 0.3, throttle: 0.3, kill: 0.2 } });
    expect(report.sent).toBeGreaterThan(3);
    expect(report.expectedOccurrences).toBeGreaterThan(5);
    expect(report.injected.throttle).toBeGreaterThan(0);
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
