// The HTML report's "Referred versus organic" chart draws each currency's revenue on its own chart. It drew only the
// alphabetically first currency found in any cohort: in the demo (customers in a dozen currencies, referred friends
// buying in EUR) that was GBP, so the Referred line, the one the section is about, was empty.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventLine, htmlReportOf } from '../../helpers/html-report.js';

const C = 'signup-anniversary';
const lines: string[] = [];
const ev = (name: string, detail: Record<string, unknown>) => lines.push(eventLine(name, detail));

// One ask, whose friend signs up and buys in EUR; one organic customer who buys in AUD.
ev('referral.ask.sent', { occurredAt: '2026-09-01T10:00:00Z', askId: 'a0~m', customerId: 'a0', variantId: 'warm-thanks', channel: 'email', referralCode: 'code0', campaignId: C, milestoneKind: 'signup_anniversary', milestoneOn: '2026-09-01', runDate: '2026-09-01', tenureTier: 'First year', cohortMonth: '2025-09' });
ev('referral.conversion.recorded', { occurredAt: '2026-09-02T10:00:00Z', conversionId: 's0', referralCode: 'code0', campaignId: C, type: 'signup', refereeId: 'f0' });
ev('referral.conversion.recorded', { occurredAt: '2026-09-03T10:00:00Z', conversionId: 'p0', referralCode: 'code0', campaignId: C, type: 'purchase', refereeId: 'f0', orderId: 'o-f0', amountMinor: 4000, currency: 'EUR' });
ev('customer.order.completed', { occurredAt: '2026-09-05T10:00:00Z', customerId: 'org1', orderId: 'o-org1', amountMinor: 2500, currency: 'AUD', signupDate: '2026-09-02' });
// The log runs to 2026-10-20: both are observable 30 days on.
ev('customer.order.completed', { occurredAt: '2026-10-20T10:00:00Z', customerId: 'org1', orderId: 'o-org1b', amountMinor: 100, currency: 'AUD', signupDate: '2026-09-02' });

let html: string;

beforeAll(async () => {
  html = await htmlReportOf(lines);
});

describe('the referred versus organic chart', () => {
  it('draws one chart per currency with revenue, each naming its currency', () => {
    const section = html.slice(html.indexOf('<section aria-labelledby="cohorts">'), html.indexOf('</section>', html.indexOf('<section aria-labelledby="cohorts">')));
    expect(section).toContain('All signup months together, AUD');
    expect(section).toContain('All signup months together, EUR');
    // Each chart's axis is in its currency and reaches its own revenue: EUR to the friend's 40.00 at day 30, AUD to the
    // organic customer's 25.00 (the y-axis ticks ECharts draws).
    const charts = section.split('<figure>').slice(1);
    expect(charts).toHaveLength(2);
    const ticks = (chart: string) => [...chart.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const [aud, eur] = charts.map(ticks);
    expect(aud).toContain('AUD');
    expect(aud).toContain('25');
    expect(aud).not.toContain('40');
    expect(eur).toContain('EUR');
    expect(eur).toContain('40');
  });
});
