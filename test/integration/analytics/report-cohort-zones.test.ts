// Cohort days count in the campaign's timezone (issue 14, "Units"): a referred friend's own orders (from the activity
// feed) and an organic customer's orders are dated in the Berlin campaign's zone when that campaign is in scope. The
// expectations are worked out by hand below, never by the report's code.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';

const B = 'project-complete-b2b'; // campaigns/project-complete-b2b.yaml: Europe/Berlin (UTC+1 in November)
const lines: string[] = [];
const ev = (name: string, detail: Record<string, unknown>) => lines.push(JSON.stringify({ source: 'milestone-referral-asks', 'detail-type': `${name}.v1`, detail: { version: 1, ...detail } }));

ev('referral.ask.sent', { occurredAt: '2026-09-01T10:00:00Z', askId: 'b0~m', customerId: 'b0', variantId: 'peer-intro', channel: 'email', referralCode: 'codeb0', campaignId: B, milestoneKind: 'project_completed', milestoneOn: '2026-09-01', runDate: '2026-09-01', tenureTier: 'tier0', cohortMonth: '2024-03' });
// The friend signs up 2026-10-31 23:30 UTC = 2026-11-01 00:30 in Berlin: day 0, cohort 2026-11.
ev('referral.conversion.recorded', { occurredAt: '2026-10-31T23:30:00Z', conversionId: 'cs', referralCode: 'codeb0', campaignId: B, type: 'signup', refereeId: 'fb0' });
// Referred purchase on 2026-12-01 00:30 in Berlin: day 30, inside the 30-day horizon.
ev('referral.conversion.recorded', { occurredAt: '2026-11-30T23:30:00Z', conversionId: 'cp', referralCode: 'codeb0', campaignId: B, type: 'purchase', refereeId: 'fb0', orderId: 'ob-1', amountMinor: 4000, currency: 'EUR' });
// The friend's own later order: 2026-12-02 00:30 in Berlin = day 31, outside 30 (it would be day 30 in UTC).
ev('customer.order.completed', { occurredAt: '2026-12-01T23:30:00Z', customerId: 'fb0', orderId: 'ob-2', amountMinor: 700, currency: 'EUR' });
// An organic customer who signed up 2026-11-01 orders at the same instant: day 30 in UTC, day 31 in Berlin.
ev('customer.order.completed', { occurredAt: '2026-12-01T23:30:00Z', customerId: 'o9', orderId: 'oo-1', amountMinor: 900, currency: 'EUR', signupDate: '2026-11-01' });

type Cohort = { cohortMonth: string; kind: string; horizonDays: number; customers: number; observable: number; purchasing: number; revenuePerCustomer: Array<{ currency: string; amountMinor: number }> };
let file: string;
const cohorts = async (...args: string[]): Promise<Cohort[]> => {
  const result = await run(['report', ...args, '--events', file, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { cohorts: Cohort[] }).cohorts;
};
const at30 = (rows: Cohort[], kind: string) => rows.find((c) => c.kind === kind && c.horizonDays === 30);

beforeAll(() => {
  file = join(mkdtempSync(join(tmpdir(), 'report-zones-')), 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
});

describe('cohort days in the campaign timezone', () => {
  it('dates a referred customer by the referring campaign, across campaigns and within it', async () => {
    for (const scope of [[], [B]]) {
      const referred = at30(await cohorts(...scope), 'referred');
      // Cohort 2026-11 (Berlin), observable on 2026-12-01 (the log's last day, 30 days on); only the 4000 purchase.
      expect(referred).toMatchObject({ cohortMonth: '2026-11', customers: 1, observable: 1, purchasing: 1, revenuePerCustomer: [{ currency: 'EUR', amountMinor: 4000 }] });
    }
  });

  it('dates an organic customer in UTC across campaigns and in the campaign zone within it', async () => {
    expect(at30(await cohorts(), 'organic')).toMatchObject({ cohortMonth: '2026-11', customers: 1, observable: 1, purchasing: 1, revenuePerCustomer: [{ currency: 'EUR', amountMinor: 900 }] });
    expect(at30(await cohorts(B), 'organic')).toMatchObject({ cohortMonth: '2026-11', customers: 1, observable: 1, purchasing: 0, revenuePerCustomer: [] });
  });
});
