// `asks plan <campaign>`: a dry run that writes nothing. Who would be asked, who skipped and why, the variant split and
// the projected reward cost against the budget, for one day or each of the next N days; from the local table or a
// streamed JSONL export (constant memory: only counters and a few ids are kept).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { evaluateEligibility } from '../../core/eligibility.js';
import { dateMilestoneOn, localDateIn, type DateTrigger } from '../../core/milestones.js';
import { askReservationMinor, BudgetPlanner, conversionRate, EMPTY_BUDGET, type BudgetState, type RateDecision } from '../../core/budget.js';
import { quoteFor } from '../../core/quote.js';
import type { Ask, MilestoneOccurrence } from '../../core/schemas/ask.js';
import { DATE_FIELD_BY_KIND, monthDaysToRead } from '../../core/due-keys.js';
import type { Campaign } from '../../core/schemas/campaign.js';
import { withAwsTarget, type AwsTargetOptions } from '../target.js';
import { checkLocalDate, unknownCampaign } from '../args.js';
import { isDateMilestoneKind } from '../../core/schemas/campaign.js';
import { AskHistory, Customer } from '../../core/schemas/customer.js';
import { dayRunAt, DEFAULT_PLAN, planSegments, runFor } from '../../core/workflow/plan.js';
import { addDaysToIsoDate } from '../../core/zoned-time.js';
import { decidedOutcome, decisionTime, thresholdMatches } from '../../core/workflow/process.js';
import type { DueCustomer } from '../../core/workflow/ports.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { formatMoney } from '../../core/money.js';

const SAMPLE_IDS = 5;
const StoredCustomer = Customer.extend(AskHistory.shape);

export interface DayPlan {
  date: string;
  due: number;
  ask: number;
  askIds: string[];
  heldOut: number;
  deferred: number;
  skipped: Record<string, number>;
  /**
   * Occurrences already decided by a run, counted as the run counts them (not skip reasons): `already_held_out`,
   * `already_failed`, `in_flight` (a live claim). An occurrence already asked is `skipped.already_asked`, as in the run.
   */
  decided: Record<string, number>;
  variants: Record<string, number>;
  channels: Record<string, number>;
  /** What the day's asks commit (their reservations under the budget rule). */
  projectedCostMinor: number;
}

export interface PlanReport {
  campaignId: string;
  source: string;
  currency: string;
  budgetMinor: number;
  spentMinor: number;
  /** Committed before the plan: spent + reserved by open asks (core/budget.ts). */
  committedMinor: number;
  reservedMinor: number;
  /** Promised rewards paid beyond the budget so far (each also raised a referral.budget.overrun event). */
  overrunMinor: number;
  /** Expected rewarded referrals per ask the rule uses, and where it comes from. */
  conversionRate: number;
  conversionRateSource: RateDecision['source'];
  days: DayPlan[];
  projectedCostMinor: number;
  withinBudget: boolean;
  invalidRows: number;
  notes: string[];
}

function emptyDay(date: string): DayPlan {
  return { date, due: 0, ask: 0, askIds: [], heldOut: 0, deferred: 0, skipped: {}, decided: {}, variants: {}, channels: {}, projectedCostMinor: 0 };
}

/** The budget rule as the plan applies it: the run's rate, and reservations in the order customers are read. */
export interface PlanBudget {
  planner: BudgetPlanner;
  rate: number;
}

/** The stored asks of the customers being planned (keyed `<customerId>|<occurrenceId>`) and the time claims are judged at. */
export interface PlanExisting {
  asks: Map<string, Ask>;
  now: Date;
}

/**
 * Decide one customer for one day as the run would (nothing written; suppressions only when the table is read):
 * the same eligibility, the same quote (core/quote.ts) and the same budget rule (core/budget.ts), in read order.
 * `threshold` is the threshold milestone occurrence; date milestones are found from the profile.
 */
function planCustomer(
  day: DayPlan,
  campaign: Campaign,
  customer: DueCustomer,
  date: string,
  budget: PlanBudget,
  suppressed: { email?: boolean; phone?: boolean } = {},
  threshold?: MilestoneOccurrence,
  existing?: PlanExisting,
  runAt = `${date}T00:00:00Z`,
): void {
  const occurrence = threshold ?? dateMilestoneOn(customer, campaign.milestone as DateTrigger, date);
  if (!occurrence) return;
  day.due += 1;
  // An occurrence a run already decided: counted as the run's claim would count it, nothing planned for it.
  const already = existing && decidedOutcome(existing.asks.get(`${customer.id}|${occurrence.occurrenceId}`), existing.now);
  if (already) {
    if (already.startsWith('skipped:')) day.skipped[already.slice('skipped:'.length)] = (day.skipped[already.slice('skipped:'.length)] ?? 0) + 1;
    else day.decided[already] = (day.decided[already] ?? 0) + 1;
    return;
  }
  // The day run's clock (`runAt`, dayRunAt): threshold milestones are decided at it; date milestones at the customer's
  // send hour on the date (decisionTime).
  const run = runFor({ campaignId: campaign.id, at: runAt, mode: 'day', runDate: date });
  let decision = evaluateEligibility({
    campaign,
    customer,
    history: { lastAskAt: customer.lastAskAt, recentAskAts: customer.recentAskAts ?? [] },
    suppressed,
    now: decisionTime(campaign, run, customer, date),
  });
  let cost = 0;
  if (decision.outcome === 'ask') {
    cost = askReservationMinor(quoteFor(campaign, customer, occurrence).quote, budget.rate);
    if (!budget.planner.reserve(cost)) decision = { outcome: 'skip', reason: 'budget_exhausted' };
  }
  switch (decision.outcome) {
    case 'ask':
      day.ask += 1;
      if (day.askIds.length < SAMPLE_IDS) day.askIds.push(customer.id);
      day.variants[decision.variantId] = (day.variants[decision.variantId] ?? 0) + 1;
      day.channels[decision.channel] = (day.channels[decision.channel] ?? 0) + 1;
      day.projectedCostMinor += cost;
      break;
    case 'holdout':
      day.heldOut += 1;
      break;
    case 'defer':
      day.deferred += 1;
      break;
    case 'skip':
      day.skipped[decision.reason] = (day.skipped[decision.reason] ?? 0) + 1;
      break;
  }
}

function datesFrom(start: string, days: number): string[] {
  const first = DateTime.fromISO(start, { zone: 'utc' });
  return Array.from({ length: days }, (_, i) => first.plus({ days: i }).toFormat('yyyy-MM-dd'));
}

/** The rule's starting point: the budget item's state, the rate the run would use, a planner from what is committed. */
export function planBudget(campaign: Campaign, state: BudgetState): PlanBudget & { rate: number; source: RateDecision['source'] } {
  const { rate, source } = conversionRate(campaign.budget, state);
  return { planner: new BudgetPlanner(campaign.budget.amountMinor, state.committedMinor), rate, source };
}

/** Stream a JSONL export: only customers whose date falls on a planned month-day are parsed in full. */
/** Rows of a `--customers` file that are not valid customers: the first INVALID_SHOWN of them, by line, with field errors. */
export interface InvalidRow {
  line: number;
  errors: string[];
}
const INVALID_SHOWN = 20;

export async function planFromJsonl(campaign: Campaign, file: string, dates: string[]): Promise<{ days: DayPlan[]; invalidRows: number; invalid: InvalidRow[] }> {
  if (!isDateMilestoneKind(campaign.milestone.kind)) throw new CliError(`--customers: campaign ${campaign.id} has a threshold milestone (${campaign.milestone.kind}); plan it from the table instead`, EXIT.usage);
  const field = DATE_FIELD_BY_KIND[campaign.milestone.kind];
  const days = dates.map(emptyDay);
  const byMonthDay = new Map<string, number[]>();
  dates.forEach((d, i) => monthDaysToRead(d).forEach((md) => byMonthDay.set(md, [...(byMonthDay.get(md) ?? []), i])));
  const budget = planBudget(campaign, EMPTY_BUDGET);
  let invalidRows = 0;
  const invalid: InvalidRow[] = [];
  const refuse = (line: number, errors: string[]) => {
    invalidRows += 1;
    if (invalid.length < INVALID_SHOWN) invalid.push({ line, errors });
  };
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      refuse(lineNo, [`(row): not JSON (${(error as Error).message})`]);
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      refuse(lineNo, ['(row): must be a JSON object']);
      continue;
    }
    const date = raw[field];
    if (typeof date !== 'string') continue;
    const hits = byMonthDay.get(date.slice(5, 10));
    if (!hits) continue;
    const parsed = StoredCustomer.safeParse(raw);
    if (!parsed.success) {
      refuse(lineNo, parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(row)'}: ${issue.message}`));
      continue;
    }
    for (const i of hits) planCustomer(days[i]!, campaign, parsed.data, dates[i]!, budget);
  }
  return { days, invalidRows, invalid };
}

/**
 * Plan `dates` from the table: due customers as the run reads them, their suppressions and their stored asks (an
 * occurrence a run already decided counts as the run counts it, `decidedOutcome`; claims judged at `now`).
 */
export async function planFromTable(campaign: Campaign, dates: string[], options: { endpoint?: string; table?: string } & AwsTargetOptions, now: Date = new Date()): Promise<{ days: DayPlan[]; budget: BudgetState }> {
  const { openDataTarget } = await import('../data-target.js');
  const { CustomerStore } = await import('../../adapters/dynamo/customers.js');
  const { DynamoAskStore } = await import('../../adapters/dynamo/asks.js');
  const { DynamoBudgetStore } = await import('../../adapters/dynamo/budget.js');
  const { MilestoneStore } = await import('../../adapters/dynamo/milestones.js');
  const target = await openDataTarget(options);
  const { doc, tableName } = target;
  try {
    const store = new CustomerStore(doc, tableName);
    const asks = new DynamoAskStore(doc, tableName);
    const state = await new DynamoBudgetStore(doc, tableName).state(campaign.id);
    const budget = planBudget(campaign, state);
    if (!isDateMilestoneKind(campaign.milestone.kind)) {
      return { days: await planThresholds(campaign, dates, { store, asks, pending: new MilestoneStore(doc, tableName), budget, now }), budget: state };
    }
    const partitions = await store.listPartitions();
    const days: DayPlan[] = [];
    for (const date of dates) {
      const day = emptyDay(date);
      const run = runFor({ campaignId: campaign.id, at: `${date}T00:00:00Z`, mode: 'day', runDate: date });
      for (const segment of planSegments(campaign, run, partitions)) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await store.queryDue({ index: segment.index, partition: segment.partition, limit: 500, ...(startKey ? { startKey } : {}) });
          const found = await asks.suppressed(page.items.flatMap((c) => [c.email, c.phone].filter((a): a is string => a !== undefined)));
          // The page's due occurrences and their stored asks (one BatchGet per 100): decided ones count as the run's.
          const occurrences = page.items.map((c) => dateMilestoneOn(c, campaign.milestone as DateTrigger, date));
          const existing = { asks: await asks.getMany(page.items.flatMap((c, i) => (occurrences[i] ? [{ customerId: c.id, occurrenceId: occurrences[i].occurrenceId }] : []))), now };
          page.items.forEach((c, i) => {
            const occurrence = occurrences[i];
            if (!occurrence) return;
            planCustomer(day, campaign, c, date, budget, {
              email: c.email !== undefined && found.has(c.email.trim().toLowerCase()),
              phone: c.phone !== undefined && found.has(c.phone),
            }, occurrence, existing);
          });
          startKey = page.lastKey;
        } while (startKey);
      }
      days.push(day);
    }
    return { days, budget: state };
  } finally {
    await target.close();
  }
}

type SuppressionReader = { suppressed(addresses: string[]): Promise<Set<string>>; getMany(keys: Array<{ customerId: string; occurrenceId: string }>): Promise<Map<string, Ask>> };

/** Threshold milestones: the pending records of each day (the sparse PendingMilestones index), as the run reads them. */
async function planThresholds(
  campaign: Campaign,
  dates: string[],
  deps: {
    store: { get(id: string): Promise<DueCustomer | undefined> };
    asks: SuppressionReader;
    pending: { queryPending(input: { day: string; startKey?: Record<string, unknown>; limit: number }): Promise<{ items: Array<{ customerId: string; kind: string; threshold: string; occurrenceId: string; occurredAt: string; dueAt: string }>; lastKey?: Record<string, unknown> }> };
    budget: PlanBudget;
    now: Date;
  },
): Promise<DayPlan[]> {
  const days: DayPlan[] = [];
  // As `asks run --date` reads them: at the day run's clock (dayRunAt: the send hour, or now for today), the pending
  // milestones due by then, of the day and the catch-up days before it; one due later is the next day's.
  const planned = new Set<string>();
  for (const date of dates) {
    const day = emptyDay(date);
    const runAt = dayRunAt(campaign, date, deps.now);
    for (let back = DEFAULT_PLAN.catchUpDays; back >= 0; back -= 1) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await deps.pending.queryPending({ day: addDaysToIsoDate(date, -back), limit: 500, ...(startKey ? { startKey } : {}) });
        const matching = page.items.filter((r) => thresholdMatches(campaign, r) && r.dueAt <= runAt && !planned.has(`${r.customerId}|${r.occurrenceId}`));
        for (const r of matching) planned.add(`${r.customerId}|${r.occurrenceId}`);
        const existing = { asks: await deps.asks.getMany(matching.map((r) => ({ customerId: r.customerId, occurrenceId: r.occurrenceId }))), now: deps.now };
        for (const record of matching) {
          const customer = await deps.store.get(record.customerId);
          if (!customer) continue;
          const found = await deps.asks.suppressed([customer.email, customer.phone].filter((a): a is string => a !== undefined));
          // The occurrence exactly as the run builds it (core/workflow/process.ts readBatch).
          const occurrence: MilestoneOccurrence = {
            kind: record.kind as MilestoneOccurrence['kind'],
            occurrenceId: record.occurrenceId,
            occurredOn: localDateIn(new Date(record.occurredAt), customer.timezone),
            threshold: /^\d+$/.test(record.threshold) ? Number(record.threshold) : record.threshold,
          };
          planCustomer(day, campaign, customer, date, deps.budget, {
            email: customer.email !== undefined && found.has(customer.email.trim().toLowerCase()),
            phone: customer.phone !== undefined && found.has(customer.phone),
          }, occurrence, existing, runAt);
        }
        startKey = page.lastKey;
      } while (startKey);
    }
    days.push(day);
  }
  return days;
}

function money(minor: number, currency: string): string {
  return formatMoney({ amountMinor: minor, currency }, 'en', { fraction: 'always' });
}

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description('dry run: who would be asked or skipped (and why), the variant split and the projected cost; writes nothing')
    .argument('<campaign>', 'campaign id (campaigns/<id>.yaml)')
    .option('--date <date>', 'first local date YYYY-MM-DD (default: today, UTC)')
    .option('--days <n>', 'plan this many days from --date', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 366) throw new CliError(`--days: must be a whole number from 1 to 366 (got "${v}")`, EXIT.usage);
      return n;
    }, 1)
    .option('--customers <file>', 'plan from a JSONL export (one customer per line) instead of the local table')
    .option('--endpoint <url>', 'local DynamoDB endpoint (default: DYNAMODB_ENDPOINT, DYNAMO_PORT, the engine npm start runs for this checkout, or http://127.0.0.1:8700)')
    .option('--table <name>', 'table name (default: TABLE_NAME or referral-asks-local)')
    .option('--json', 'print the plan as JSON');
  withAwsTarget(cmd).action(async (campaignId: string, options: { date?: string; days: number; customers?: string; endpoint?: string; table?: string; json?: boolean } & AwsTargetOptions) => {
      const start = options.date ?? new Date().toISOString().slice(0, 10);
      checkLocalDate('--date', start);
      if (options.customers !== undefined && !existsSync(options.customers)) throw new CliError(`--customers: file not found: ${options.customers}`, EXIT.failure);
      const { FileCampaignRepository } = await import('../../adapters/campaign-files.js');
      const repo = new FileCampaignRepository();
      const campaign = await repo.get(campaignId);
      if (!campaign) throw unknownCampaign(campaignId, (await repo.list()).map((c) => c.id));
      const dates = datesFrom(start, options.days);
      const notes: string[] = [];
      let days: DayPlan[];
      let budget: BudgetState = EMPTY_BUDGET;
      let invalidRows = 0;
      let invalid: InvalidRow[] = [];
      if (options.customers) {
        ({ days, invalidRows, invalid } = await planFromJsonl(campaign, options.customers, dates));
        notes.push('from a file: suppression list, existing asks and spent budget are not known (assumed none)');
      } else {
        ({ days, budget } = await planFromTable(campaign, dates, options));
      }
      const projected = days.reduce((s, d) => s + d.projectedCostMinor, 0);
      const rate = conversionRate(campaign.budget, budget);
      const report: PlanReport = {
        campaignId,
        source: options.customers ?? 'table',
        currency: campaign.budget.currency,
        budgetMinor: campaign.budget.amountMinor,
        spentMinor: budget.spentMinor,
        committedMinor: budget.committedMinor,
        reservedMinor: budget.reservedMinor,
        overrunMinor: budget.overrunMinor,
        conversionRate: rate.rate,
        conversionRateSource: rate.source,
        days,
        projectedCostMinor: projected,
        withinBudget: budget.committedMinor + projected <= campaign.budget.amountMinor,
        invalidRows,
        ...(invalid.length ? { invalid } : {}),
        notes,
      };
      if (options.json) {
        printJson(report);
        return;
      }
      for (const d of days) {
        const skipped = Object.entries(d.skipped).sort((a, b) => b[1] - a[1]);
        const decided = Object.entries(d.decided).sort((a, b) => b[1] - a[1]);
        out(
          `${d.date}: ${d.due} due · ${d.ask} would be asked · ${d.heldOut} held out · ${d.deferred} deferred · ${skipped.reduce((s, [, n]) => s + n, 0)} skipped${decided.length ? ` · ${decided.reduce((s, [, n]) => s + n, 0)} decided before` : ''}`,
          ...(d.askIds.length ? [`  e.g. ${d.askIds.join(', ')}${d.ask > d.askIds.length ? ', …' : ''}`] : []),
          ...skipped.map(([reason, n]) => `  skipped ${reason.padEnd(22)} ${n}`),
          ...decided.map(([key, n]) => `  ${key.padEnd(30)} ${n}`),
          ...(Object.keys(d.variants).length ? [`  variants ${Object.entries(d.variants).map(([v, n]) => `${v} ${n}`).join(' · ')}   channels ${Object.entries(d.channels).map(([c, n]) => `${c} ${n}`).join(' · ')}`] : []),
          `  projected cost ${money(d.projectedCostMinor, report.currency)}`,
        );
      }
      out(
        `asks commit ${money(projected, report.currency)} (advocate + friend reward × ${rate.rate.toFixed(3)} expected rewarded referrals per ask, ${rate.source}); budget ${money(report.budgetMinor, report.currency)}, committed before ${money(budget.committedMinor, report.currency)} (spent ${money(budget.spentMinor, report.currency)}, reserved by open asks ${money(budget.reservedMinor, report.currency)}): ${report.withinBudget ? 'within budget' : 'OVER BUDGET'}`,
        ...(budget.overrunMinor > 0 ? [`OVERRUN: promised rewards were paid ${money(budget.overrunMinor, report.currency)} beyond the budget; no further asks until the budget grows`] : []),
        ...(invalidRows
          ? [
              `${invalidRows} row${invalidRows === 1 ? ' was' : 's were'} not valid customers and ignored${invalidRows > 5 ? ' (the first 5)' : ''}:`,
              ...invalid.slice(0, 5).map((r) => `  line ${r.line}: ${r.errors.join('; ')}`),
            ]
          : []),
        ...notes.map((n) => `note: ${n}`),
      );
    });
}
