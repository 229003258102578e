// Found by `asks simulate --days 14 --seed 112`: a customer who crossed two project thresholds at once had both asks
// decided in one batch from the same profile read, so both were sent (or, after a crash and retry, one was skipped and
// the sent one went uncounted). Now the later occurrence sees the earlier ask: one message, the other skipped cooldown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_FAULTS, Simulation } from '../../../local/simulate.js';
import { Customer } from '../../../core/schemas/customer.js';

let sim: Simulation;
beforeAll(async () => {
  sim = await Simulation.start({ days: 4, seed: 112, faults: NO_FAULTS, startDate: '2026-03-01' });
});
afterAll(async () => {
  await sim?.stop();
});

describe('two occurrences of one customer in one run', () => {
  it('are asked once: the second sees the first in the history (cooldown), and the run counts what happened', async () => {
    // Prepare: a business customer finishes two projects within minutes (thresholds 3 and 4, due 48 h later at 10:00 UTC).
    const customer = Customer.parse({ id: 'twice', firstName: 'Tw', email: 'twice@example.com', timezone: 'UTC', country: 'DE', signupDate: '2023-01-10', plan: 'business', consents: { email: true }, counters: { orders: 0, projectsCompleted: 2, lifetimeSpendMinor: 0, successfulReferrals: 0 } });
    await sim.addCustomers([customer]);
    await sim.project('twice', '2026-03-02T09:10:00.000Z');
    await sim.project('twice', '2026-03-02T09:20:00.000Z');

    // Act
    await sim.runHour(Date.parse('2026-03-04T10:00:00Z'));

    // Assess
    const { asks, runs } = await sim.observed();
    const mine = asks.filter((a) => a.customerId === 'twice').sort((a, b) => a.occurrenceId.localeCompare(b.occurrenceId));
    expect(mine.map((a) => a.occurrenceId)).toEqual(['project_completed#3', 'project_completed#4']);
    const sent = mine.filter((a) => a.status === 'sent');
    expect(sim.sends.filter((s) => s.customerId === 'twice')).toHaveLength(sent.length);
    expect(sent.length).toBeLessThanOrEqual(1);
    if (sent.length === 1) expect(mine.find((a) => a.status !== 'sent')).toMatchObject({ status: 'skipped', skipReason: 'cooldown' });
    const totals = runs.filter((r) => r.campaignId === 'project-complete-b2b').reduce((n, r) => n + (r.totals.sent ?? 0), 0);
    expect(totals).toBe(sent.length);
  });
});
