// `asks report [campaign]`: the funnel from ask to reward, variants, holdout lift, referred versus organic cohorts,
// ROI and benchmarks, from the event log (DuckDB over .local/events.jsonl; the same SQL files run on Athena).
import type { Command } from 'commander';
import { DIMENSIONS, type Dimension } from '../../core/analytics/query.js';
import { notSent, type Report } from '../../core/analytics/report.js';
import { formatMoney } from '../../core/money.js';
import { CliError, EXIT, err, out, printJson, writeOptionFile } from '../output.js';
import { localDateOption, unknownCampaign } from '../args.js';

interface ReportOptions {
  from?: string;
  to?: string;
  by?: Dimension;
  json?: boolean;
  html?: string;
  events?: string;
  target?: string;
  windowDays?: number;
  cache?: boolean;
}

function parseBy(value: string): Dimension {
  if (!(DIMENSIONS as readonly string[]).includes(value)) throw new CliError(`--by: one of ${DIMENSIONS.join(', ')} (got "${value}")`, EXIT.usage);
  return value as Dimension;
}

function parseDays(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new CliError(`--window-days: a whole number of days 1-3650 (got "${value}")`, EXIT.usage);
  return n;
}

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const money = (minor: number, currency: string): string => formatMoney({ amountMinor: minor, currency }, 'en', { fraction: 'always' });

/** The report for a terminal. */
export function reportLines(r: Report): string[] {
  const c = r.funnel.total.counts;
  const rt = r.funnel.total.rates;
  const lines = [
    `Report${r.scope.campaign ? ` for ${r.scope.campaign}` : ''}${r.scope.from || r.scope.to ? `, run dates ${r.scope.from ?? '…'} to ${r.scope.to ?? '…'}` : ''} (data up to ${r.scope.asOf})`,
    '',
    'Funnel',
    `  asked               ${c.asked}   (held out ${c.held_out}, skipped ${c.skipped}, deferred ${c.deferred}, failed ${c.failed})`,
    `  delivered           ${c.delivered}   ${pct(rt.delivered!.value)} of ${rt.delivered!.of.split(' / ')[1]} (bounced ${c.bounced} ${pct(rt.bounced!.value)}, complaints ${c.complained} ${pct(rt.complained!.value)})`,
    `  share-page visits   ${c.share_visitors}   ${pct(rt.visited!.value)} of asked`,
    `  shared              ${c.sharers}   ${pct(rt.shared!.value)} of asked (${c.shares} shares)`,
    `  clicks              ${c.clicks}   on ${c.clicked_asks} asks, ${pct(rt.clicked!.value)} of asked`,
    `  signups             ${c.signups}   ${pct(rt.signupsPerClick!.value)} of clicks`,
    `  first purchases     ${c.first_purchases}   ${pct(rt.firstPurchasesPerSignup!.value)} of signups`,
    ...r.funnel.total.rewards.map((w) => `  rewards (${w.currency})     ${w.earned} earned, ${w.held} held, ${w.issued} issued ${money(w.issuedMinor, w.currency)}, ${w.voided} voided (clawbacks ${money(w.clawbackMinor, w.currency)}), ${w.overrun} over budget`),
  ];
  if (r.funnel.groups.length) {
    // "not sent": held out, skipped, still deferred or failed (a group such as channel "(none)" holds only these).
    lines.push('', `By ${r.scope.by}`, `  ${'group'.padEnd(36)} ${'asked'.padStart(6)} ${'not sent'.padStart(9)} ${'shared'.padStart(7)} ${'clicks'.padStart(7)} ${'signups'.padStart(8)} ${'1st buys'.padStart(9)}`);
    for (const g of r.funnel.groups) {
      lines.push(`  ${g.group.padEnd(36)} ${String(g.counts.asked).padStart(6)} ${String(notSent(g.counts).total).padStart(9)} ${String(g.counts.sharers).padStart(7)} ${String(g.counts.clicks).padStart(7)} ${String(g.counts.signups).padStart(8)} ${String(g.counts.first_purchases).padStart(9)}`);
    }
  }
  lines.push('', `Variants (${r.variants.method}; ${r.variants.minimumSample})`);
  for (const v of r.variants.comparisons) {
    const m = v.metrics.converted!;
    lines.push(`  ${v.group.padEnd(36)} ${String(v.asked).padStart(6)} asked, converted ${pct(m.rate)}${m.diffInterval ? `, diff ${pct(m.diff)} [${pct(m.diffInterval.low)}, ${pct(m.diffInterval.high)}]` : ''}: ${m.verdict}`);
  }
  const h = r.holdout;
  const ci = (i: { low: number; high: number } | null, f: (n: number) => string) => (i ? ` [${f(i.low)}, ${f(i.high)}]` : '');
  lines.push('', `Holdout lift over ${h.windowDays} days after the milestone (${h.asked} asked, ${h.heldOut} held out)`);
  lines.push(`  referred signups per 1,000: ${h.referredSignupsPer1000.treated.toFixed(1)} vs ${h.referredSignupsPer1000.control.toFixed(1)}, lift ${h.referredSignupsPer1000.absolute.toFixed(1)}${ci(h.referredSignupsPer1000.absoluteInterval, (n) => n.toFixed(1))}`);
  lines.push(`  purchases per customer:     ${h.purchasesPerCustomer.treated.toFixed(3)} vs ${h.purchasesPerCustomer.control.toFixed(3)}, lift ${h.purchasesPerCustomer.absolute.toFixed(3)}${ci(h.purchasesPerCustomer.absoluteInterval, (n) => n.toFixed(3))}, relative ${pct(h.purchasesPerCustomer.relative)}${ci(h.purchasesPerCustomer.relativeInterval, pct)}`);
  for (const x of h.revenuePerCustomer) lines.push(`  revenue per customer (${x.currency}): ${money(x.treated, x.currency)} vs ${money(x.control, x.currency)}, lift ${money(x.absolute, x.currency)}${ci(x.absoluteInterval, (n) => money(n, x.currency))}`);
  for (const s of h.sampleRatio) lines.push(`  sample ratio ${s.campaign}: ${pct(s.observedHeldOutShare)} held out, expected ${pct(s.expectedHeldOutShare)}${s.pValue !== null ? ` (p = ${s.pValue.toPrecision(2)})` : ''}${s.mismatch ? '  MISMATCH: do not trust the lift' : ''}`);
  lines.push('', 'Referred vs organic (share still purchasing; revenue per customer)');
  for (const row of r.cohorts.filter((x) => x.observable > 0)) lines.push(`  ${row.cohortMonth} ${row.kind.padEnd(8)} day ${String(row.horizonDays).padStart(3)}: ${pct(row.sharePurchasing.value)} of ${row.observable}; ${row.revenuePerCustomer.map((m) => money(m.amountMinor, m.currency)).join(', ') || 'no revenue'}`);
  lines.push('', 'ROI');
  for (const cost of r.roi.costs) {
    lines.push(`  cost ${cost.currency}: rewards ${money(cost.rewardsIssuedMinor, cost.currency)} - clawbacks ${money(cost.clawbacksMinor, cost.currency)} + messages ${money(cost.messagesMinor, cost.currency)} = ${money(cost.totalMinor, cost.currency)}${cost.unpricedChannels.length ? ` (no ${cost.currency} price for ${cost.unpricedChannels.join(', ')} messages: not included)` : ''}`);
    lines.push(`  outstanding rewards ${cost.currency}: ${money(cost.outstandingRewardsMinor, cost.currency)} (${cost.outstandingRewards} earned, held or approved, not yet issued: owed, not in the cost yet)`);
  }
  for (const ret of r.roi.returns) lines.push(`  return ${ret.currency}: ${money(ret.amountMinor, ret.currency)} from referred customers`);
  for (const x of r.roi.roi) lines.push(`  ROI ${x.currency}: ${pct(x.value)}${x.excludesCostsIn.length ? ` (costs in ${x.excludesCostsIn.join(', ')} not included)` : ''}`);
  for (const x of r.roi.costPerAcquiredCustomer) lines.push(`  cost per acquired customer (${x.currency}): ${x.amountMinor === null ? '—' : money(x.amountMinor, x.currency)}`);
  lines.push('', 'Benchmarks');
  for (const b of r.benchmarks) lines.push(`  ${b.label.padEnd(34)} ${pct(b.ours.value)} (${b.ours.of})  published ${pct(b.range.low)}-${pct(b.range.high)}  ${b.source.name}`);
  return lines;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('the measurement report: funnel, variants, holdout lift, referred vs organic, ROI and benchmarks, from the event log')
    .argument('[campaign]', 'one campaign id (default: every campaign)')
    .option('--from <date>', 'first run date, YYYY-MM-DD in the campaign timezone', localDateOption('--from'))
    .option('--to <date>', 'last run date, YYYY-MM-DD (also the day cohorts are observed up to, or the last day of data when that is earlier)', localDateOption('--to'))
    .option('--by <dimension>', `group the funnel by ${DIMENSIONS.join(' | ')}`, parseBy)
    .option('--window-days <n>', 'days after the milestone the holdout lift counts (default: analytics/config.json)', parseDays)
    .option('--events <file>', 'the event log (default: $EVENTS_FILE or .local/events.jsonl)')
    .option('--no-cache', 'parse the whole log instead of using its report cache (<log>.report-cache.duckdb, which then only reads lines appended since the last report)')
    .option('--target <target>', 'local (DuckDB over the log) or aws (Athena)', 'local')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write the report as one self-contained HTML file with charts')
    .action(async (campaign: string | undefined, options: ReportOptions) => {
      if (options.target !== 'local' && options.target !== 'aws') throw new CliError(`--target: local or aws (got "${options.target}")`, EXIT.usage);
      if (options.from && options.to && options.from > options.to) throw new CliError('--from is after --to', EXIT.usage);
      const { FileCampaignRepository } = await import('../../adapters/campaign-files.js');
      // The report renders nothing: the campaign files without their templates (ids, timezones, holdouts).
      const campaigns = new FileCampaignRepository({ checkTemplates: false });
      if (campaign && !(await campaigns.get(campaign))) throw unknownCampaign(campaign, (await campaigns.list()).map((c) => c.id));
      const scope = { campaigns, ...(campaign ? { campaign } : {}), ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}), ...(options.by ? { by: options.by } : {}), ...(options.windowDays ? { windowDays: options.windowDays } : {}) };
      let report: Report;
      if (options.target === 'aws') {
        const { athenaReport } = await import('../../adapters/analytics/athena.js');
        report = await athenaReport(scope);
      } else {
        const { localReport } = await import('../../adapters/analytics/local-report.js');
        try {
          report = await localReport({ ...scope, eventsFile: options.events ?? process.env.EVENTS_FILE ?? '.local/events.jsonl', cache: options.cache !== false });
        } catch (error) {
          if ((error as { code?: string }).code === 'NO_EVENT_LOG') throw new CliError((error as Error).message);
          throw error;
        }
      }
      const skipped = report.skippedLines;
      if (skipped && skipped.count > 0) err(`warning: skipped ${skipped.count} line${skipped.count === 1 ? '' : 's'} of the event log that ${skipped.count === 1 ? 'is' : 'are'} not an event (malformed JSON, or no detail-type / occurredAt); the first is line ${skipped.firstLine}`);
      if (options.html) {
        const { renderReportHtml } = await import('../../adapters/analytics/report-html.js');
        await writeOptionFile('--html', options.html, renderReportHtml(report));
      }
      if (options.json) printJson(report);
      else out(...reportLines(report), ...(options.html ? ['', `wrote ${options.html}`] : []));
    });
}
