// The HTML report's lift chart says what it shows. With no held-out referral yet (the usual start: the held-out mean is
// 0, so no relative lift) it drew asked-versus-held-out bars of every metric on one axis (signups per 1,000 beside
// purchases per customer and revenue in minor units of each currency) under the subtitle "Relative lift with 95%
// intervals". Now: the absolute lift of referred signups per 1,000 with its interval, and a subtitle that says so.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventLine, htmlReportOf } from '../../helpers/html-report.js';

const C = 'signup-anniversary';
const lines: string[] = [];
const ev = (name: string, detail: Record<string, unknown>) => lines.push(eventLine(name, detail));
const dims = (i: number) => ({ campaignId: C, milestoneKind: 'signup_anniversary', milestoneOn: '2026-09-01', runDate: '2026-09-01', tenureTier: 'First year', cohortMonth: '2025-09', askId: `a${i}~m`, customerId: `a${i}` });

for (let i = 0; i < 4; i += 1) ev('referral.ask.sent', { occurredAt: '2026-09-01T10:00:00Z', variantId: 'warm-thanks', channel: 'email', referralCode: `code${i}`, ...dims(i) });
for (let i = 4; i < 6; i += 1) ev('referral.ask.held_out', { occurredAt: '2026-09-01T10:00:00Z', variantId: 'warm-thanks', ...dims(i) });
ev('referral.conversion.recorded', { occurredAt: '2026-09-02T10:00:00Z', conversionId: 's0', referralCode: 'code0', campaignId: C, type: 'signup', refereeId: 'f0' });
ev('referral.conversion.recorded', { occurredAt: '2026-09-03T10:00:00Z', conversionId: 's1', referralCode: 'code1', campaignId: C, type: 'signup', refereeId: 'f1' });
ev('referral.conversion.recorded', { occurredAt: '2026-09-04T10:00:00Z', conversionId: 'p0', referralCode: 'code0', campaignId: C, type: 'purchase', refereeId: 'f0', orderId: 'o0', amountMinor: 4000, currency: 'EUR' });

let lift: string;

beforeAll(async () => {
  const html = await htmlReportOf(lines);
  const at = html.indexOf('<section aria-labelledby="lift">');
  lift = html.slice(at, html.indexOf('</section>', at));
});

describe('the holdout lift chart without a relative lift', () => {
  it('shows the absolute lift of referred signups per 1,000 and says so', () => {
    expect(lift).not.toContain('<p>Relative lift with 95% intervals');
    expect(lift).toContain('No relative lift yet (the held-out mean is 0): the absolute lift in referred signups per 1,000 with its 95% interval');
    const chart = lift.slice(lift.indexOf('<div class="chart"'), lift.indexOf('</div>', lift.indexOf('<div class="chart"')));
    const labels = [...chart.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    // One metric on the axis, none of the others (2 referred signups of 4 asked: 500 per 1,000).
    expect(labels).toContain('Referred signups per 1,000');
    expect(labels.some((l) => /Purchases|Revenue/.test(l ?? ''))).toBe(false);
    expect(lift).toMatch(/Referred signups per 1,000<\/th><td>500\.0<\/td><td>0\.0<\/td>/);
  });
});
