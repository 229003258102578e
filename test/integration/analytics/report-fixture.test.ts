// `asks report --json` on a fixture log: every count, rate, lift and interval is computed here, by hand and with the
// textbook formulas written out below, never by the report's own code. Every analytics/*.sql query runs on DuckDB.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import { DuckDbAnalytics } from '../../../adapters/analytics/duckdb.js';
import { QUERY_NAMES } from '../../../core/analytics/query.js';

// ---------------------------------------------------------------------------------------------------------------
// The fixture: two campaigns (signup-anniversary in UTC, project-complete-b2b in Europe/Berlin).
const S = 'signup-anniversary';
const B = 'project-complete-b2b';
const lines: string[] = [];
const ev = (name: string, detail: Record<string, unknown>) => lines.push(JSON.stringify({ source: 'milestone-referral-asks', 'detail-type': `${name}.v1`, detail: { version: 1, ...detail } }));
const at = (day: string, time = '10:00:00') => `${day}T${time}Z`;
const dims = (campaignId: string, day: string, i: number) => ({ campaignId, milestoneKind: campaignId === S ? 'signup_anniversary' : 'project_completed', milestoneOn: day, runDate: day, tenureTier: `tier${i % 3}`, cohortMonth: '2024-03' });
const N = 60;
const variantOf = (i: number) => (i % 2 === 0 ? 'warm-thanks' : 'tenure-pride');
const channelOf = (i: number) => (i % 5 === 4 ? 'sms' : 'email');

for (let i = 0; i < N; i += 1) {
  ev('referral.ask.sent', { occurredAt: at('2026-11-02'), askId: `s${i}~m`, customerId: `s${i}`, variantId: variantOf(i), channel: channelOf(i), referralCode: `code${i}`, ...dims(S, '2026-11-02', i) });
  if (channelOf(i) === 'email' && i < 40) ev('referral.delivery.recorded', { occurredAt: at('2026-11-02', '10:01:00'), askId: `s${i}~m`, messageId: `m${i}`, status: 'delivered' });
  if (channelOf(i) === 'email' && i < 40 && i % 4 === 0) ev('referral.delivery.recorded', { occurredAt: at('2026-11-02', '12:00:00'), askId: `s${i}~m`, messageId: `m${i}`, status: 'opened' });
  if (i % 3 === 0) ev('referral.share.viewed', { occurredAt: at('2026-11-03'), askId: `s${i}~m`, campaignId: S, customerId: `s${i}`, referralCode: `code${i}` });
  if (i % 6 === 0) {
    ev('referral.share.recorded', { occurredAt: at('2026-11-03', '10:05:00'), askId: `s${i}~m`, campaignId: S, customerId: `s${i}`, referralCode: `code${i}`, network: i % 12 === 0 ? 'whatsapp' : 'email' });
    for (const k of ['a', 'b']) ev('referral.click.recorded', { occurredAt: at('2026-11-04'), clickId: `k${i}${k}`, referralCode: `code${i}`, campaignId: S });
    ev('referral.click.recorded', { occurredAt: at('2026-11-04'), clickId: `k${i}a`, referralCode: `code${i}`, campaignId: S }); // redelivered: at least once
  }
  if (i % 12 === 0) ev('referral.conversion.recorded', { occurredAt: at('2026-11-05'), conversionId: `cs${i}`, referralCode: `code${i}`, campaignId: S, type: 'signup', refereeId: `f${i}` });
  if (i % 24 === 0) {
    ev('referral.conversion.recorded', { occurredAt: at('2026-11-10'), conversionId: `cp${i}`, referralCode: `code${i}`, campaignId: S, type: 'purchase', refereeId: `f${i}`, amountMinor: 5000, currency: 'EUR' });
    for (const [side, amount] of [['advocate', 1500], ['friend', 2000]] as const) {
      const rewardId = `r${i}${side}`;
      const base = { rewardId, campaignId: S, customerId: side === 'advocate' ? `s${i}` : `f${i}`, beneficiary: side, referralCode: `code${i}`, amountMinor: amount, currency: 'EUR' };
      ev('referral.reward.earned', { occurredAt: at('2026-11-10'), ...base });
      ev('referral.reward.held', { occurredAt: at('2026-11-10'), ...base, holdUntil: at('2026-12-10') });
      if (i < 48) {
        ev('referral.reward.approved', { occurredAt: at('2026-11-12'), ...base });
        ev('referral.reward.issued', { occurredAt: at('2026-11-12'), ...base });
      }
      if (i === 24) ev('referral.reward.voided', { occurredAt: at('2026-11-25'), rewardId, campaignId: S, customerId: base.customerId, referralCode: `code${i}`, reason: 'refund', previousState: 'issued', amountMinor: amount, currency: 'EUR' });
    }
  }
  if (i < 20) ev('customer.order.completed', { occurredAt: at('2026-11-10'), customerId: `s${i}`, orderId: `o-s${i}`, amountMinor: 2000, currency: 'EUR', signupDate: '2024-03-15' });
}
ev('referral.delivery.recorded', { occurredAt: at('2026-11-02', '10:01:00'), askId: 's43~m', messageId: 'm43', status: 'bounced' });
ev('referral.delivery.recorded', { occurredAt: at('2026-11-02', '10:01:00'), askId: 's46~m', messageId: 'm46', status: 'complained' });
ev('referral.share.viewed', { occurredAt: at('2026-11-03', '11:00:00'), askId: 's0~m', campaignId: S, customerId: 's0', referralCode: 'code0' });
ev('referral.conversion.recorded', { occurredAt: at('2026-11-20'), conversionId: 'cp0b', referralCode: 'code0', campaignId: S, type: 'purchase', refereeId: 'f0', amountMinor: 3000, currency: 'EUR' });
ev('referral.conversion.recorded', { occurredAt: at('2026-11-25'), conversionId: 'cr24', referralCode: 'code24', campaignId: S, type: 'refund', refereeId: 'f24', amountMinor: 5000, currency: 'EUR' });
ev('customer.order.completed', { occurredAt: at('2026-12-20'), customerId: 's0', orderId: 'o-s0-late', amountMinor: 2000, currency: 'EUR', signupDate: '2024-03-15' });
for (let h = 0; h < 10; h += 1) {
  ev('referral.ask.held_out', { occurredAt: at('2026-11-02'), askId: `sh${h}~m`, customerId: `sh${h}`, variantId: variantOf(h), ...dims(S, '2026-11-02', h) });
  if (h < 2) ev('customer.order.completed', { occurredAt: at('2026-11-10'), customerId: `sh${h}`, orderId: `o-sh${h}`, amountMinor: 2000, currency: 'EUR', signupDate: '2024-03-15' });
}
// An order the same morning, before the holdout decision at 10:00: not caused by the ask, not counted.
ev('customer.order.completed', { occurredAt: at('2026-11-02', '09:00:00'), customerId: 'sh2', orderId: 'o-sh2-early', amountMinor: 2000, currency: 'EUR', signupDate: '2024-03-15' });
ev('referral.ask.skipped', { occurredAt: at('2026-11-02'), askId: 'k1~m', customerId: 'k1', reason: 'cooldown', ...dims(S, '2026-11-02', 1) });
ev('referral.ask.skipped', { occurredAt: at('2026-11-02'), askId: 'k2~m', customerId: 'k2', reason: 'cooldown', ...dims(S, '2026-11-02', 2) });
ev('referral.ask.skipped', { occurredAt: at('2026-11-02'), askId: 'k3~m', customerId: 'k3', reason: 'opted_out', ...dims(S, '2026-11-02', 3) });
ev('referral.ask.deferred', { occurredAt: at('2026-11-02'), askId: 'd1~m', customerId: 'd1', until: at('2026-11-03'), ...dims(S, '2026-11-02', 1) });
ev('referral.ask.failed', { occurredAt: at('2026-11-02'), askId: 'x1~m', customerId: 'x1', channel: 'email', variantId: 'warm-thanks', error: 'bad address', ...dims(S, '2026-11-02', 1) });
// Organic customers: never referred, signed up 2026-01-10.
ev('customer.order.completed', { occurredAt: at('2026-01-20'), customerId: 'o0', orderId: 'o-o0', amountMinor: 1000, currency: 'EUR', signupDate: '2026-01-10' });
ev('customer.order.completed', { occurredAt: at('2026-03-01'), customerId: 'o1', orderId: 'o-o1', amountMinor: 1000, currency: 'EUR', signupDate: '2026-01-10' });
// B2B in Berlin: two asks on 2026-10-31; one signup 30 days later in Berlin (in the window), one 31 days later in
// Berlin although still day 30 in UTC (out of it: days count in the campaign's timezone).
for (const b of [0, 1]) ev('referral.ask.sent', { occurredAt: at('2026-10-31'), askId: `b${b}~m`, customerId: `b${b}`, variantId: 'peer-intro', channel: 'email', referralCode: `codeb${b}`, ...dims(B, '2026-10-31', b) });
ev('referral.conversion.recorded', { occurredAt: '2026-11-30T22:30:00Z', conversionId: 'cb0', referralCode: 'codeb0', campaignId: B, type: 'signup', refereeId: 'fb0' });
ev('referral.conversion.recorded', { occurredAt: '2026-11-30T23:30:00Z', conversionId: 'cb1', referralCode: 'codeb1', campaignId: B, type: 'signup', refereeId: 'fb1' });
lines.push('not json: a torn line is skipped');

// ---------------------------------------------------------------------------------------------------------------
// Independent statistics, written from the textbook formulas.
const Z = 1.959963984540054;
function wilsonCi(x: number, n: number): [number, number] {
  const p = x / n;
  const d = 1 + (Z * Z) / n;
  const c = (p + (Z * Z) / (2 * n)) / d;
  const h = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / d;
  return [c - h, c + h];
}
/** Newcombe (1998) method 10: d - sqrt((p1-l1)^2 + (u2-p2)^2), d + sqrt((u1-p1)^2 + (p2-l2)^2). */
function newcombe(x1: number, n1: number, x2: number, n2: number): [number, number] {
  const [l1, u1] = wilsonCi(x1, n1);
  const [l2, u2] = wilsonCi(x2, n2);
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  return [p1 - p2 - Math.hypot(p1 - l1, u2 - p2), p1 - p2 + Math.hypot(u1 - p1, p2 - l2)];
}
/** Per-unit values -> mean and unbiased variance. */
function mv(values: number[]): [number, number] {
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  return [m, values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1)];
}
const ones = (k: number, n: number) => Array.from({ length: n }, (_, i) => (i < k ? 1 : 0));

let file: string;
let report: any; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'report-')), 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const result = await run(['report', '--events', file, '--json']);
  // The fixture's last line is not JSON: skipped, and said on stderr and in the JSON.
  expect(result.stderr).toBe(`warning: skipped 1 line of the event log that is not an event (malformed JSON, or no detail-type / occurredAt); the first is line ${lines.length}\n`);
  expect(result.code).toBe(0);
  report = JSON.parse(result.stdout);
  expect(report.skippedLines).toEqual({ count: 1, firstLine: lines.length });
}, 60_000);

describe('asks report --json on the fixture log', () => {
  it('counts the funnel from ask to first purchase, deduplicating redelivered events', () => {
    // 60 anniversary asks + 2 B2B; email unless i % 5 == 4 (12 SMS); delivered: email and i < 40 (32); opened: of
    // those, i % 4 == 0 except 4 and 24 (SMS) = 8; views: i % 3 == 0 (20 asks, 21 views); shares: i % 6 == 0 (10);
    // clicks: 2 per sharing ask (the redelivered one counted once); signups: i % 12 == 0 (5) + 2 B2B; first purchases:
    // f0, f24, f48; purchases 4 (f0 twice); refunds 1; converted asks 5 + 2.
    expect(report.funnel.total.counts).toEqual({
      asked: 62, held_out: 10, skipped: 3, deferred: 1, failed: 1, email_asked: 50, delivered: 32, bounced: 1, complained: 1, opened: 8,
      share_visitors: 20, share_views: 21, sharers: 10, shares: 10, clicked_asks: 10, clicks: 20, signups: 7, first_purchases: 3, purchases: 4, refunds: 1, converted_asks: 7,
    });
    expect(report.funnel.total.skipped).toEqual({ cooldown: 2, opted_out: 1 });
    expect(report.funnel.total.sharesByNetwork).toEqual({ whatsapp: 5, email: 5 });
  });

  it('names every rate with its numerator and denominator', () => {
    const r = report.funnel.total.rates;
    expect(r.delivered).toEqual({ value: 32 / 50, numerator: 32, denominator: 50, of: 'delivered / email asks' });
    expect(r.visited).toMatchObject({ value: 20 / 62, numerator: 20, denominator: 62 });
    expect(r.signupsPerClick).toMatchObject({ value: 7 / 20, numerator: 7, denominator: 20, of: 'signups / clicks' });
    expect(r.firstPurchasesPerSignup).toMatchObject({ value: 3 / 7 });
    expect(r.heldOut).toMatchObject({ value: 10 / 72, numerator: 10, denominator: 72 });
  });

  it('sums rewards per currency, with clawbacks of issued rewards', () => {
    // earned and held: 3 referees x 2 sides; issued: f0 and f24 (1500 + 2000 each); voided after issue: f24's both.
    // Outstanding (earned or held, neither issued nor voided): f48's two, 1500 + 2000.
    expect(report.funnel.total.rewards).toEqual([{ currency: 'EUR', earned: 6, earnedMinor: 3 * 3500, held: 6, approved: 4, issued: 4, issuedMinor: 7000, voided: 2, clawbackMinor: 3500, overrun: 0, outstanding: 2, outstandingMinor: 3500 }]);
  });

  it('compares variants with Newcombe intervals and refuses a verdict below the minimum sample', () => {
    const v = report.variants.comparisons.filter((c: { campaign: string }) => c.campaign === S);
    // 30 asks each; converted: warm-thanks 5 (i % 12 == 0 is even), tenure-pride 0. Tie on asks: the reference is the
    // first by name (tenure-pride).
    const ref = v.find((c: { variant: string }) => c.variant === 'tenure-pride');
    const warm = v.find((c: { variant: string }) => c.variant === 'warm-thanks');
    expect(ref.metrics.converted.verdict).toBe('reference');
    expect(warm.asked).toBe(30);
    expect(warm.metrics.converted.rate).toBeCloseTo(5 / 30, 12);
    const [lo, hi] = newcombe(5, 30, 0, 30);
    expect(warm.metrics.converted.diff).toBeCloseTo(5 / 30, 12);
    expect(warm.metrics.converted.diffInterval.low).toBeCloseTo(lo, 10);
    expect(warm.metrics.converted.diffInterval.high).toBeCloseTo(hi, 10);
    const [wl, wh] = wilsonCi(5, 30);
    expect(warm.metrics.converted.interval.low).toBeCloseTo(wl, 10);
    expect(warm.metrics.converted.interval.high).toBeCloseTo(wh, 10);
    expect(warm.metrics.converted.verdict).toBe('not enough data'); // 30 < 100 asks per arm
  });

  it('measures holdout lift over 30 days in the campaign timezone, with 95% intervals', () => {
    const h = report.holdout;
    expect([h.asked, h.heldOut]).toEqual([62, 10]);
    // Referred signups within 30 days: 5 anniversary + b0 (day 30 in Berlin); b1 is day 31 in Berlin.
    const [mt, vt] = mv(ones(6, 62));
    expect(h.referredSignupsPer1000.treated).toBeCloseTo(1000 * mt, 9);
    expect(h.referredSignupsPer1000.control).toBe(0);
    expect(h.referredSignupsPer1000.absoluteInterval.low).toBeCloseTo(1000 * (mt - Z * Math.sqrt(vt / 62)), 8);
    expect(h.referredSignupsPer1000.relative).toBeNull();
    // Own orders after the decision and within 30 days: s0..s19 (s0's late order is day 48), held out sh0, sh1 (sh2's
    // order came before the decision).
    const [ot, ovt] = mv(ones(20, 62));
    const [oc, ovc] = mv(ones(2, 10));
    const p = h.purchasesPerCustomer;
    expect(p.treated).toBeCloseTo(ot, 12);
    expect(p.control).toBeCloseTo(oc, 12);
    const se = Math.sqrt(ovt / 62 + ovc / 10);
    expect(p.absoluteInterval.low).toBeCloseTo(ot - oc - Z * se, 10);
    expect(p.absoluteInterval.high).toBeCloseTo(ot - oc + Z * se, 10);
    expect(p.relative).toBeCloseTo(ot / oc - 1, 10);
    const seRel = (ot / oc) * Math.sqrt(ovt / (62 * ot * ot) + ovc / (10 * oc * oc));
    expect(p.relativeInterval.low).toBeCloseTo(ot / oc - 1 - Z * seRel, 10);
    const rev = h.revenuePerCustomer.find((x: { currency: string }) => x.currency === 'EUR');
    const [rt, rvt] = mv(ones(20, 62).map((x) => x * 2000));
    const [rc, rvc] = mv(ones(2, 10).map((x) => x * 2000));
    expect(rev.treated).toBeCloseTo(rt, 9);
    expect(rev.control).toBeCloseTo(rc, 9);
    expect(rev.absoluteInterval.high).toBeCloseTo(rt - rc + Z * Math.sqrt(rvt / 62 + rvc / 10), 6);
  });

  it('checks the holdout split against the campaign holdoutPercent (chi-square, 1 df)', () => {
    const s = report.holdout.sampleRatio.find((x: { campaign: string }) => x.campaign === S);
    // 10 held out vs 61 treated (60 sent + 1 failed), expected 10%.
    const n = 71;
    const chi = (10 - 0.1 * n) ** 2 / (0.1 * n) + (61 - 0.9 * n) ** 2 / (0.9 * n);
    expect(s).toMatchObject({ heldOut: 10, treated: 61, expectedHeldOutShare: 0.1, mismatch: false });
    expect(s.chiSquare).toBeCloseTo(chi, 10);
    expect(s.pValue).toBeGreaterThan(0.001);
  });

  it('follows referred and organic customers by signup month', () => {
    const row = (month: string, kind: string, h: number) => report.cohorts.find((c: { cohortMonth: string; kind: string; horizonDays: number }) => c.cohortMonth === month && c.kind === kind && c.horizonDays === h);
    // Data up to 2026-12-20 (s0's late order). Referred in 2026-11: f0, f12, f24, f36, f48 (signed up 11-05, 45 days
    // before) and fb0 (11-30 in Berlin, 20 days): 5 observable at 30 days; buying in days 1-30: f0, f24, f48; revenue
    // in the first 30 days 5000 + 3000 + 5000 + 5000 = 18000 over 5.
    expect(row('2026-11', 'referred', 30)).toMatchObject({ customers: 6, observable: 5, purchasing: 3, revenuePerCustomer: [{ currency: 'EUR', amountMinor: 3600 }] });
    expect(row('2026-11', 'referred', 90)).toMatchObject({ observable: 0 });
    // Organic 2026-01: o0 buys on day 10, o1 on day 50; 344 days of data.
    expect(row('2026-01', 'organic', 30)).toMatchObject({ customers: 2, observable: 2, purchasing: 1, revenuePerCustomer: [{ currency: 'EUR', amountMinor: 500 }] });
    expect(row('2026-01', 'organic', 90)).toMatchObject({ observable: 2, purchasing: 0, revenuePerCustomer: [{ currency: 'EUR', amountMinor: 1000 }] });
    expect(row('2026-01', 'organic', 365)).toMatchObject({ observable: 0 });
    // The asked and held-out customers who ordered (signed up 2024-03): organic, nothing in their first year.
    expect(row('2024-03', 'organic', 365)).toMatchObject({ customers: 23, observable: 23, purchasing: 0, revenuePerCustomer: [] });
  });

  it('never observes cohorts past the data: --to after the last day of the log keeps the as-of date at that day', async () => {
    // The log ends 2026-12-20. A --to a year later used to become the as-of date: the 2026-11 referred cohort was then
    // "observable" at 90-365 days and reported as having stopped buying (0% purchasing), from data that does not exist.
    const late = JSON.parse((await run(['report', '--events', file, '--to', '2027-12-31', '--json'])).stdout);
    expect(late.scope.asOf).toBe('2026-12-20');
    expect(late.cohorts).toEqual(report.cohorts);
    // A --to before the last day is the as-of date, as before.
    const early = JSON.parse((await run(['report', '--events', file, '--to', '2026-12-01', '--json'])).stdout);
    expect(early.scope.asOf).toBe('2026-12-01');
    const referred30 = early.cohorts.find((c: { cohortMonth: string; kind: string; horizonDays: number }) => c.cohortMonth === '2026-11' && c.kind === 'referred' && c.horizonDays === 30);
    expect(referred30).toMatchObject({ observable: 0 });
  });

  it('prices ROI per currency: rewards net of clawbacks plus messages, against referred revenue', () => {
    // Rewards and revenue are in EUR only, so the cost is in EUR, messages at the shipped EUR prices
    // (analytics/config.json): 50 email at 9.6 per 1,000 + 12 SMS at 797 per 1,000 (cents) = 0.48 + 9.564 -> 10.
    // Was: messages priced in USD only, a USD cost row and an EUR ROI that excluded it.
    // Outstanding beside it: f48's two rewards, earned and held, 1500 + 2000.
    expect(report.roi.costs).toEqual([
      { currency: 'EUR', rewardsIssuedMinor: 7000, clawbacksMinor: 3500, messagesMinor: 10, totalMinor: 3510, unpricedChannels: [], outstandingRewards: 2, outstandingRewardsMinor: 3500 },
    ]);
    expect(report.roi.returns).toEqual([{ currency: 'EUR', amountMinor: 18000 - 5000 }]);
    expect(report.roi.roi).toEqual([{ currency: 'EUR', value: (13000 - 3510) / 3510, excludesCostsIn: [] }]);
    expect(report.roi.costPerAcquiredCustomer).toEqual([{ currency: 'EUR', amountMinor: Math.round(3510 / 3) }]);
  });

  it('shows the outstanding reward liability beside the cost in the terminal and the HTML report', async () => {
    const html = join(file, '..', 'report.html');
    const result = await run(['report', '--events', file, '--html', html]);
    expect(result.code).toBe(0);
    // f48's two rewards (1500 + 2000 cents) earned and held, not issued.
    expect(result.stdout).toContain('  outstanding rewards EUR: €35.00 (2 earned, held or approved, not yet issued');
    expect(result.stdout).toContain('  cost EUR: rewards €70.00 - clawbacks €35.00 + messages €0.10 = €35.10');
    expect(result.stdout).not.toMatch(/not included/);
    // A cohort without revenue says so; a bare "0" named no currency.
    expect(result.stdout).toMatch(/2024-03 organic +day 365: .* of 23; no revenue\n/);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Outstanding rewards (EUR)');
    expect(page).toContain('€35.00: 2 earned, held or approved, not yet issued');
  });

  it('sets benchmarks beside the same denominators', () => {
    const b = Object.fromEntries(report.benchmarks.map((x: { metric: string; ours: unknown }) => [x.metric, x.ours]));
    expect(b.share_rate).toMatchObject({ value: 10 / 20, numerator: 10, denominator: 20 });
    expect(b.signup_rate).toMatchObject({ value: 7 / 20 });
    expect(b.conversion_rate).toMatchObject({ value: 3 / 20 });
  });

  it('scopes by campaign and groups by a dimension', async () => {
    const result = await run(['report', S, '--events', file, '--by', 'channel', '--json']);
    const r = JSON.parse(result.stdout);
    expect(r.funnel.total.counts.asked).toBe(60);
    const byChannel = Object.fromEntries(r.funnel.groups.map((g: { group: string; counts: { asked: number } }) => [g.group, g.counts.asked]));
    expect(byChannel).toMatchObject({ email: 48, sms: 12 });
    const later = JSON.parse((await run(['report', '--events', file, '--from', '2026-11-01', '--json'])).stdout);
    expect(later.funnel.total.counts.asked).toBe(60); // the B2B asks ran on 2026-10-31
  });

  it('runs every query file on DuckDB', async () => {
    const engine = await DuckDbAnalytics.open(file, [{ campaignId: S, timezone: 'UTC' }, { campaignId: B, timezone: 'Europe/Berlin' }]);
    try {
      for (const q of QUERY_NAMES) for (const dim of ['all', 'variant', 'week', 'cohort'] as const) expect(Array.isArray(await engine.run(q, { asOf: '2026-12-20', windowDays: 30, dim }))).toBe(true);
    } finally {
      engine.close();
    }
  });

  it('exits 2 for a bad option and 1 without a log', async () => {
    expect((await run(['report', '--by', 'planet'])).code).toBe(2);
    expect((await run(['report', '--from', '2026-13-01'])).code).toBe(2);
    const missing = await run(['report', '--events', join(tmpdir(), 'no-such-log.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no event log/);
  });
});
