// `asks report`: the queries' rows turned into what a marketer reads. Every rate names its numerator and denominator;
// variants are compared with Newcombe's interval and a minimum-sample rule; the holdout lift has 95% intervals and a
// sample-ratio check; money is kept per currency, never summed across currencies. Pure over the AnalyticsEngine port.
import * as z from 'zod';
import { lift, newcombeDiff, sampleRatioMismatch, wilson, type Interval, type Lift } from './stats.js';
import type { AnalyticsEngine, Dimension, QueryParams, Row } from './query.js';

const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code (EUR)');
/**
 * A channel's message price per 1,000 messages in minor units, per currency: `{ "EUR": 9.6, "USD": 10 }`. The older
 * single-currency form `{ perThousandMinor, currency }` is read as one entry.
 */
const ChannelPrices = z.union([
  z.record(CurrencyCode, z.number().nonnegative()),
  z.object({ perThousandMinor: z.number().nonnegative(), currency: CurrencyCode }).transform((p) => ({ [p.currency]: p.perThousandMinor })),
]);

/**
 * analytics/config.json: the holdout window, message prices (per channel and currency: minor units per 1,000
 * messages; ROI in a currency prices messages in that currency) and the minimum-sample rule.
 */
export const ReportConfigSchema = z.object({
  windowDays: z.number().int().min(1).max(3650),
  messagePrices: z.record(z.string(), ChannelPrices),
  minimumSample: z.object({ askedPerArm: z.number().int().min(1), successesPerArm: z.number().int().min(0) }),
});
export type ReportConfig = z.infer<typeof ReportConfigSchema>;

/** analytics/benchmarks.json: published ranges, each with its source and denominator. */
export const BenchmarkSchema = z.object({
  metric: z.string(),
  label: z.string(),
  denominator: z.string(),
  ours: z.object({ numerator: z.string(), denominator: z.string() }),
  range: z.object({ low: z.number(), high: z.number() }),
  note: z.string().optional(),
  source: z.object({ name: z.string(), url: z.url() }),
});
export type Benchmark = z.infer<typeof BenchmarkSchema>;
export const BenchmarksSchema = z.object({ benchmarks: z.array(BenchmarkSchema) });

export interface ReportOptions {
  campaign?: string;
  from?: string;
  to?: string;
  by?: Dimension;
  /** The day cohorts are observed up to: `--to` or the last day of data, whichever is earlier (`reportAsOf`). */
  asOf: string;
  /** Holdout percent per campaign id (the SRM check's expectation). */
  holdoutPercent: Record<string, number>;
}

/**
 * The report's as-of date (YYYY-MM-DD): the day cohorts are observed up to. `--to` when given, but never past the last
 * day of data (`lastDataDay`: the log's last event day locally, today on Athena), since a cohort "observable" for days
 * without data reads as customers who stopped buying; without `--to`, that last day ('1970-01-01' without any data).
 */
export function reportAsOf(to: string | undefined, lastDataDay: string | undefined): string {
  if (to === undefined) return lastDataDay ?? '1970-01-01';
  return lastDataDay !== undefined && lastDataDay < to ? lastDataDay : to;
}

export interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
  /** "share-page visits / asked" */
  of: string;
}

const FUNNEL_COUNTS = [
  'asked', 'held_out', 'skipped', 'deferred', 'failed', 'email_asked', 'delivered', 'bounced', 'complained', 'opened', 'share_visitors', 'share_views',
  'sharers', 'shares', 'clicked_asks', 'clicks', 'signups', 'first_purchases', 'purchases', 'refunds', 'converted_asks',
] as const;
export type FunnelCounts = Record<(typeof FUNNEL_COUNTS)[number], number>;

/**
 * What of a funnel group was not sent: held out, skipped, still deferred or failed (a group such as channel "(none)"
 * holds only these), as the total and its non-zero parts in that order, e.g. { total: 2, parts: [['deferred', 1], ['failed', 1]] }.
 * The terminal and the HTML report show the same.
 */
export function notSent(c: FunnelCounts): { total: number; parts: Array<[string, number]> } {
  const parts: Array<[string, number]> = [
    ['held out', c.held_out],
    ['skipped', c.skipped],
    ['deferred', c.deferred],
    ['failed', c.failed],
  ];
  return { total: parts.reduce((s, [, n]) => s + n, 0), parts: parts.filter(([, n]) => n > 0) };
}

export interface MoneyLine {
  currency: string;
  amountMinor: number;
}

export interface FunnelGroup {
  group: string;
  counts: FunnelCounts;
  rates: Record<string, Rate>;
  skipped: Record<string, number>;
  sharesByNetwork: Record<string, number>;
  /** `outstanding`: rewards earned, held or approved but not yet issued (nor voided): a liability, not in the cost. */
  rewards: Array<{ currency: string; earned: number; earnedMinor: number; held: number; approved: number; issued: number; issuedMinor: number; voided: number; clawbackMinor: number; overrun: number; outstanding: number; outstandingMinor: number }>;
}

export interface VariantComparison {
  group: string;
  campaign: string;
  variant: string;
  asked: number;
  metrics: Record<string, { successes: number; rate: number | null; interval: Interval | null; diff: number | null; diffInterval: Interval | null; verdict: string }>;
}

export interface Report {
  scope: { campaign: string | null; from: string | null; to: string | null; by: Dimension | null; windowDays: number; asOf: string };
  funnel: { total: FunnelGroup; groups: FunnelGroup[] };
  variants: { method: string; minimumSample: string; reference: string; comparisons: VariantComparison[] };
  holdout: {
    windowDays: number;
    method: string;
    asked: number;
    heldOut: number;
    referredSignupsPer1000: Lift;
    purchasesPerCustomer: Lift;
    revenuePerCustomer: Array<{ currency: string } & Lift>;
    sampleRatio: Array<{ campaign: string; heldOut: number; treated: number; expectedHeldOutShare: number; observedHeldOutShare: number | null; chiSquare: number | null; pValue: number | null; mismatch: boolean }>;
  };
  cohorts: Array<{ cohortMonth: string; kind: 'referred' | 'organic'; horizonDays: number; customers: number; observable: number; purchasing: number; sharePurchasing: Rate; revenuePerCustomer: MoneyLine[] }>;
  roi: {
    /**
     * Per currency: cost = rewards issued - clawbacks + messages priced in that currency (`unpricedChannels`: channels
     * with messages but no price in it); beside it the outstanding reward liability (earned, held or approved, not
     * yet issued), which is not in the cost.
     */
    costs: Array<{ currency: string; rewardsIssuedMinor: number; clawbacksMinor: number; messagesMinor: number; totalMinor: number; unpricedChannels: string[]; outstandingRewards: number; outstandingRewardsMinor: number }>;
    returns: MoneyLine[];
    messages: Record<string, number>;
    firstPurchases: number;
    /** Per currency where cost and return share it: (return - cost) / cost. */
    roi: Array<{ currency: string; value: number | null; excludesCostsIn: string[] }>;
    costPerAcquiredCustomer: Array<{ currency: string; amountMinor: number | null }>;
    weekly: Array<{ week: string; currency: string; costMinor: number; returnMinor: number }>;
  };
  /** Local log only: lines that are not events (not JSON, or no detail-type / occurredAt), skipped; firstLine 1-based. */
  skippedLines?: { count: number; firstLine: number | null };
  benchmarks: Array<{ metric: string; label: string; ours: Rate; range: { low: number; high: number }; within: boolean | null; denominator: string; note?: string; source: { name: string; url: string } }>;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** numerator / denominator, naming both (null value when the denominator is 0). */
export function rate(numerator: number, denominator: number, of: string): Rate {
  return { value: denominator > 0 ? numerator / denominator : null, numerator, denominator, of };
}

function funnelRates(c: FunnelCounts): Record<string, Rate> {
  return {
    delivered: rate(c.delivered, c.email_asked, 'delivered / email asks'),
    bounced: rate(c.bounced, c.email_asked, 'bounced / email asks'),
    complained: rate(c.complained, c.email_asked, 'complaints / email asks'),
    opened: rate(c.opened, c.delivered, 'opened / delivered'),
    visited: rate(c.share_visitors, c.asked, 'asks with a share-page visit / asked'),
    shared: rate(c.sharers, c.asked, 'asks with a share / asked'),
    sharedOfVisitors: rate(c.sharers, c.share_visitors, 'asks with a share / asks with a share-page visit'),
    clicked: rate(c.clicked_asks, c.asked, 'asks with a click / asked'),
    clicksPerShare: rate(c.clicks, c.shares, 'clicks / shares'),
    signupsPerClick: rate(c.signups, c.clicks, 'signups / clicks'),
    firstPurchasesPerSignup: rate(c.first_purchases, c.signups, 'first purchases / signups'),
    converted: rate(c.converted_asks, c.asked, 'asks with a referred signup or purchase / asked'),
    heldOut: rate(c.held_out, c.asked + c.held_out, 'held out / (asked + held out)'),
  };
}

function emptyCounts(): FunnelCounts {
  return Object.fromEntries(FUNNEL_COUNTS.map((k) => [k, 0])) as FunnelCounts;
}

function group(rows: { funnel: Row[]; skips: Row[]; networks: Row[]; rewards: Row[] }, name: string): FunnelGroup {
  const f = rows.funnel.find((r) => str(r.grp) === name);
  const counts = emptyCounts();
  if (f) for (const k of FUNNEL_COUNTS) counts[k] = num(f[k]);
  return {
    group: name,
    counts,
    rates: funnelRates(counts),
    skipped: Object.fromEntries(rows.skips.filter((r) => str(r.grp) === name).map((r) => [str(r.reason), num(r.asks)])),
    sharesByNetwork: Object.fromEntries(rows.networks.filter((r) => str(r.grp) === name).map((r) => [str(r.network), num(r.shares)])),
    rewards: rows.rewards
      .filter((r) => str(r.grp) === name)
      .map((r) => ({ currency: str(r.currency), earned: num(r.earned), earnedMinor: num(r.earned_minor), held: num(r.held), approved: num(r.approved), issued: num(r.issued), issuedMinor: num(r.issued_minor), voided: num(r.voided), clawbackMinor: num(r.clawback_minor), overrun: num(r.overrun), outstanding: num(r.outstanding), outstandingMinor: num(r.outstanding_minor) })),
  };
}

/**
 * Whether a `--by` group is worth a row: it has asks or anything besides held-out and skipped asks (which have no
 * variant or channel yet: held-out asks are in the holdout section, skips in the total's reasons), so a "(holdout)"
 * or "(none)" group of only those is left out.
 */
function carriesData(g: FunnelGroup): boolean {
  return FUNNEL_COUNTS.some((k) => k !== 'held_out' && k !== 'skipped' && g.counts[k] > 0) || g.rewards.length > 0 || Object.keys(g.sharesByNetwork).length > 0;
}

const VARIANT_METRICS: Array<[string, keyof FunnelCounts]> = [
  ['shared', 'sharers'],
  ['clicked', 'clicked_asks'],
  ['converted', 'converted_asks'],
];

/** Each variant against its campaign's reference variant (the one asked most; ties by id), per metric. */
export function compareVariants(funnelByVariant: Row[], minimum: ReportConfig['minimumSample']): VariantComparison[] {
  const rows = funnelByVariant
    .map((r) => ({ group: str(r.grp), counts: Object.fromEntries(FUNNEL_COUNTS.map((k) => [k, num(r[k])])) as FunnelCounts }))
    .filter((r) => r.counts.asked > 0);
  const byCampaign = new Map<string, typeof rows>();
  for (const r of rows) {
    const campaign = r.group.split('/')[0]!;
    byCampaign.set(campaign, [...(byCampaign.get(campaign) ?? []), r]);
  }
  const out: VariantComparison[] = [];
  for (const [campaign, variants] of [...byCampaign.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...variants].sort((a, b) => b.counts.asked - a.counts.asked || a.group.localeCompare(b.group));
    const reference = sorted[0]!;
    for (const v of sorted) {
      const metrics: VariantComparison['metrics'] = {};
      for (const [name, key] of VARIANT_METRICS) {
        const x = v.counts[key];
        const n = v.counts.asked;
        const isReference = v === reference;
        const d = isReference ? null : newcombeDiff(x, n, reference.counts[key], reference.counts.asked);
        const enough = n >= minimum.askedPerArm && reference.counts.asked >= minimum.askedPerArm && x >= minimum.successesPerArm && reference.counts[key] >= minimum.successesPerArm;
        const verdict = isReference ? 'reference' : !enough ? 'not enough data' : d && d.low > 0 ? 'better' : d && d.high < 0 ? 'worse' : 'no clear difference';
        metrics[name] = { successes: x, rate: n > 0 ? x / n : null, interval: wilson(x, n), diff: d?.diff ?? null, diffInterval: d ? { low: d.low, high: d.high } : null, verdict };
      }
      out.push({ group: v.group, campaign, variant: v.group.slice(campaign.length + 1), asked: v.counts.asked, metrics });
    }
  }
  return out;
}

function scaleLift(l: Lift, k: number): Lift {
  const s = (i: Interval | null): Interval | null => (i ? { low: i.low * k, high: i.high * k } : null);
  return { ...l, treated: l.treated * k, control: l.control * k, absolute: l.absolute * k, absoluteInterval: s(l.absoluteInterval) };
}

/** The messages' cost in `currency` (minor units, unrounded), and the channels with messages but no price in it. */
export function messageCost(messages: Row[], config: ReportConfig, currency: string): { minor: number; unpricedChannels: string[] } {
  let minor = 0;
  const unpriced = new Set<string>();
  for (const m of messages) {
    const channel = str(m.channel);
    const price = config.messagePrices[channel]?.[currency];
    if (price === undefined) {
      if (num(m.messages) > 0) unpriced.add(channel);
      continue;
    }
    minor += (num(m.messages) * price) / 1000;
  }
  return { minor, unpricedChannels: [...unpriced].sort() };
}

/** Run every query and assemble the report. Throws what the engine throws. */
export async function buildReport(engine: AnalyticsEngine, options: ReportOptions, config: ReportConfig, benchmarks: readonly Benchmark[]): Promise<Report> {
  const base: Omit<QueryParams, 'dim'> = { ...(options.campaign ? { campaign: options.campaign } : {}), ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}), asOf: options.asOf, windowDays: config.windowDays };
  const all: QueryParams = { ...base, dim: 'all' };
  const by: QueryParams | undefined = options.by ? { ...base, dim: options.by } : undefined;
  // Every query is started at once: an engine may run them side by side (DuckDB on a few connections, Athena).
  const fetch = async (p: QueryParams) => {
    const [funnel, skips, networks, rewards] = await Promise.all([engine.run('funnel', p), engine.run('skips', p), engine.run('networks', p), engine.run('rewards', p)]);
    return { funnel, skips, networks, rewards };
  };
  const [totalRows, byRows, variantFunnel, [messages, revenue, weekly, holdoutRows, srm, cohortAll]] = await Promise.all([
    fetch(all),
    by ? fetch(by) : undefined,
    options.by === 'variant' ? undefined : engine.run('funnel', { ...base, dim: 'variant' }),
    Promise.all([
    engine.run('messages', all),
    engine.run('revenue', all),
    engine.run('roi_weekly', all),
    engine.run('holdout', all),
    engine.run('srm', all),
    engine.run('cohorts', all),
    ]),
  ]);
  const variantRows = variantFunnel ?? byRows!.funnel;

  const total = group(totalRows, 'all');
  const groups = byRows ? [...new Set(byRows.funnel.map((r) => str(r.grp)))].map((g) => group(byRows, g)).filter(carriesData) : [];

  // Holdout: per-arm rows (no currency) and revenue rows (per arm and currency) of one query.
  const holdout = holdoutRows.filter((r) => r.currency === null);
  const holdoutRevenue = holdoutRows.filter((r) => r.currency !== null);
  const arm = (name: string) => holdout.find((r) => str(r.arm) === name);
  const t = arm('asked');
  const c = arm('held_out');
  const nT = num(t?.customers);
  const nC = num(c?.customers);
  const m = (r: Row | undefined, k: string) => ({ n: num(r?.customers), sum: num(r?.[k]), sumSq: num(r?.[`${k}_sq`]) });
  const currencies = [...new Set(holdoutRevenue.map((r) => str(r.currency)))].sort();
  const revenuePerCustomer = currencies.map((currency) => {
    const row = (a: string) => holdoutRevenue.find((r) => str(r.arm) === a && str(r.currency) === currency);
    return { currency, ...lift({ n: nT, sum: num(row('asked')?.revenue_minor), sumSq: num(row('asked')?.revenue_sq) }, { n: nC, sum: num(row('held_out')?.revenue_minor), sumSq: num(row('held_out')?.revenue_sq) }) };
  });
  const sampleRatio = srm.map((r) => {
    const campaign = str(r.campaign_id);
    const expected = (options.holdoutPercent[campaign] ?? 0) / 100;
    const heldOut = num(r.held_out);
    const treated = num(r.treated);
    const test = sampleRatioMismatch(heldOut, treated, expected);
    return { campaign, heldOut, treated, expectedHeldOutShare: expected, observedHeldOutShare: heldOut + treated > 0 ? heldOut / (heldOut + treated) : null, chiSquare: test?.chiSquare ?? null, pValue: test?.pValue ?? null, mismatch: test?.mismatch ?? false };
  });

  // Cohorts: count rows (no currency) and revenue rows (per currency) of one query.
  const cohorts = cohortAll.filter((r) => r.currency === null);
  const cohortRevenue = cohortAll.filter((r) => r.currency !== null);
  const cohortRows = cohorts.map((r) => {
    const cohortMonth = str(r.cohort_month);
    const kind = str(r.kind) as 'referred' | 'organic';
    const horizonDays = num(r.horizon);
    const observable = num(r.observable);
    const revenue = cohortRevenue.filter((x) => str(x.cohort_month) === cohortMonth && str(x.kind) === kind && num(x.horizon) === horizonDays);
    return {
      cohortMonth,
      kind,
      horizonDays,
      customers: num(r.customers),
      observable,
      purchasing: num(r.purchasing),
      sharePurchasing: rate(num(r.purchasing), observable, `customers who bought in days ${horizonDays - 29}-${horizonDays} / customers observable ${horizonDays} days`),
      revenuePerCustomer: observable > 0 ? revenue.map((x) => ({ currency: str(x.currency), amountMinor: Math.round(num(x.revenue_minor) / observable) })) : [],
    };
  });

  // ROI: per currency, never summed across currencies.
  // Costs in the currencies the campaigns pay and earn in (rewards, referred revenue); messages are priced in each of
  // them from its own price list (never converted). With neither yet, in every currency messages have a price in.
  const returns = revenue.map((r) => ({ currency: str(r.currency), amountMinor: num(r.purchase_minor) - num(r.refund_minor) }));
  const moneyCurrencies = new Set<string>([...total.rewards.map((r) => r.currency), ...returns.map((r) => r.currency)]);
  const costCurrencies = moneyCurrencies.size ? moneyCurrencies : new Set(Object.values(config.messagePrices).flatMap((p) => Object.keys(p)));
  const costs = [...costCurrencies].sort().map((currency) => {
    const rw = total.rewards.find((r) => r.currency === currency);
    const rewardsIssuedMinor = rw?.issuedMinor ?? 0;
    const clawbacksMinor = rw?.clawbackMinor ?? 0;
    const priced = messageCost(messages, config, currency);
    const messagesMinor = Math.round(priced.minor);
    return { currency, rewardsIssuedMinor, clawbacksMinor, messagesMinor, totalMinor: rewardsIssuedMinor - clawbacksMinor + messagesMinor, unpricedChannels: priced.unpricedChannels, outstandingRewards: rw?.outstanding ?? 0, outstandingRewardsMinor: rw?.outstandingMinor ?? 0 };
  });
  const firstPurchases = total.counts.first_purchases;
  // ROI only within one currency; rewards paid in another currency are named, never converted.
  const rewardCurrencies = total.rewards.filter((r) => r.issuedMinor > 0).map((r) => r.currency);
  const roi = returns.map((r) => {
    const cost = costs.find((x) => x.currency === r.currency)!.totalMinor;
    return { currency: r.currency, value: cost > 0 ? (r.amountMinor - cost) / cost : null, excludesCostsIn: [...new Set(rewardCurrencies)].filter((x) => x !== r.currency).sort() };
  });

  const benchmarkRows = benchmarks.map((b) => {
    const numerator = total.counts[b.ours.numerator as keyof FunnelCounts] ?? 0;
    const denominator = total.counts[b.ours.denominator as keyof FunnelCounts] ?? 0;
    const ours = rate(numerator, denominator, `${b.ours.numerator} / ${b.ours.denominator}`);
    return { metric: b.metric, label: b.label, ours, range: b.range, within: ours.value === null ? null : ours.value >= b.range.low && ours.value <= b.range.high, denominator: b.denominator, ...(b.note ? { note: b.note } : {}), source: b.source };
  });

  return {
    scope: { campaign: options.campaign ?? null, from: options.from ?? null, to: options.to ?? null, by: options.by ?? null, windowDays: config.windowDays, asOf: options.asOf },
    funnel: { total, groups },
    variants: {
      method: "Newcombe's hybrid score interval (95%) for the difference of two proportions, each variant against its campaign's reference variant",
      minimumSample: `a verdict needs at least ${config.minimumSample.askedPerArm} asks and ${config.minimumSample.successesPerArm} successes in both arms; otherwise "not enough data"`,
      reference: 'the variant with the most asks in its campaign',
      comparisons: compareVariants(variantRows, config.minimumSample),
    },
    holdout: {
      windowDays: config.windowDays,
      method: `asked versus held-out asks over the ${config.windowDays} days after the milestone; difference of means with a Welch normal 95% interval, relative lift by the delta method; sample ratio by chi-square (flag at p < 0.001)`,
      asked: nT,
      heldOut: nC,
      referredSignupsPer1000: scaleLift(lift(m(t, 'signups'), m(c, 'signups')), 1000),
      purchasesPerCustomer: lift(m(t, 'orders'), m(c, 'orders')),
      revenuePerCustomer,
      sampleRatio,
    },
    cohorts: cohortRows,
    roi: {
      costs,
      returns,
      messages: Object.fromEntries(messages.map((r) => [str(r.channel), num(r.messages)])),
      firstPurchases,
      roi,
      costPerAcquiredCustomer: costs.map((c) => ({ currency: c.currency, amountMinor: firstPurchases > 0 ? Math.round(c.totalMinor / firstPurchases) : null })),
      weekly: weekly.map((r) => ({ week: str(r.week), currency: str(r.currency), costMinor: num(r.cost_minor), returnMinor: num(r.return_minor) })),
    },
    benchmarks: benchmarkRows,
  };
}
