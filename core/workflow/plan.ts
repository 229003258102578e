// Planning a run: the segments (index partitions) a run reads, the batches each Map round processes, and folding the
// batch results back into the run state. Pure: the state machine calls these through thin handlers.
import type { Campaign } from '../schemas/campaign.js';
import { isDateMilestoneKind } from '../schemas/campaign.js';
import type { Batch, Counts, Run, RunInput, RunState, Segment } from '../schemas/workflow.js';
import { dueMonthDays, zonesAtLocalHour } from '../milestones.js';
import { dueKey, parsePartition } from '../due-keys.js';
import { ValidationError } from '../errors.js';
import { addDaysToIsoDate, fromWallTime, inZone, isoDate, parseIsoDate } from '../zoned-time.js';

/** Due index per date milestone kind (names match adapters/dynamo/table-def.ts). */
export const DUE_INDEX: Record<string, string> = {
  signup_anniversary: 'DueSignup',
  first_purchase_anniversary: 'DueFirstPurchase',
  birthday: 'DueBirthday',
  contract_renewal: 'DueRenewal',
};
export const PENDING_INDEX = 'PendingMilestones';

export interface PlanOptions {
  /** Customers one ProcessBatch reads at most. */
  limit: number;
  /** Segments one batch may hold (partition sizes are unknown: a batch reads them in order until `limit`). */
  segmentsPerBatch: number;
  /** Batches per Map round: bounds the state payload and keeps the number of rounds small. */
  maxBatchesPerRound: number;
  /** Threshold campaigns also read this many past pending days (catch-up after an outage). */
  catchUpDays: number;
}

export const DEFAULT_PLAN: PlanOptions = { limit: 100, segmentsPerBatch: 8, maxBatchesPerRound: 40, catchUpDays: 7 };

/** The run's date label and id: `<campaignId>#<runDate>` in day mode, `<campaignId>#<runDate>T<HH>` in hour mode. */
export function runFor(input: RunInput): Run {
  const at = new Date(input.at);
  if (Number.isNaN(at.getTime())) throw new ValidationError(`at: not an instant: ${input.at}`);
  if (input.mode === 'day') {
    const runDate = input.runDate ?? input.at.slice(0, 10);
    return { runId: `${input.campaignId}#${runDate}`, campaignId: input.campaignId, at: input.at, mode: 'day', runDate };
  }
  const runDate = input.at.slice(0, 10);
  return { runId: `${input.campaignId}#${runDate}T${input.at.slice(11, 13)}`, campaignId: input.campaignId, at: input.at, mode: 'hour', runDate };
}

/**
 * The instant a day-mode run of `runDate` runs at: its clock, which stamps its asks, cooldowns and events. `now` when
 * `runDate` is today (in UTC or in the campaign's schedule timezone); otherwise the campaign's send hour on `runDate` in that
 * timezone, as a daily schedule would fire it (a past or future day does not carry today's wall clock). ISO-8601 UTC,
 * whole seconds. An unknown campaign (undefined) runs at `now`: LoadCampaign then refuses it by name. Throws
 * ValidationError for a date that is not YYYY-MM-DD.
 */
export function dayRunAt(campaign: Pick<Campaign, 'schedule'> | undefined, runDate: string, now: Date): string {
  const seconds = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
  if (!campaign) return seconds(now);
  const zone = campaign.schedule.timezone;
  const today = inZone(now, zone);
  if ((today && isoDate(today) === runDate) || now.toISOString().slice(0, 10) === runDate) return seconds(now);
  const day = parseIsoDate(runDate);
  const at = day ? fromWallTime({ ...day, hour: campaign.schedule.sendHour }, zone) : undefined;
  if (!at) throw new ValidationError(`runDate: not a date YYYY-MM-DD in ${zone}: ${runDate}`);
  return seconds(new Date(at.ts));
}

/** Zones present among customers, from the `<zone>#<shard>` registry. */
function zonesOf(partitions: readonly string[]): string[] {
  return [...new Set(partitions.map((p) => parsePartition(p).zone))].sort();
}

/**
 * The segments a run reads. Date milestones: for each zone at the send hour (hour mode) or every zone (day mode),
 * every shard of that zone and every month-day due on its local date. Threshold milestones: the pending days
 * up to today (and `catchUpDays` before it).
 */
export function planSegments(campaign: Campaign, run: Run, partitions: readonly string[], options: Pick<PlanOptions, 'catchUpDays'> = DEFAULT_PLAN): Segment[] {
  const kind = campaign.milestone.kind;
  if (!isDateMilestoneKind(kind)) {
    const today = run.mode === 'day' ? run.runDate : run.at.slice(0, 10);
    const segments: Segment[] = [];
    for (let back = options.catchUpDays; back >= 0; back -= 1) {
      const day = addDaysToIsoDate(today, -back);
      segments.push({ index: PENDING_INDEX, partition: day, localDate: day });
    }
    return segments;
  }
  const index = DUE_INDEX[kind]!;
  const zones = zonesOf(partitions);
  const dated =
    run.mode === 'day'
      ? zones.map((zone) => ({ zone, localDate: run.runDate }))
      : zonesAtLocalHour(zones, new Date(run.at), campaign.schedule.sendHour);
  const byZone = new Map(dated.map((d) => [d.zone, d.localDate]));
  const segments: Segment[] = [];
  for (const partition of [...partitions].sort()) {
    const localDate = byZone.get(parsePartition(partition).zone);
    if (localDate === undefined) continue;
    for (const monthDay of dueMonthDays(localDate)) segments.push({ index, partition: dueKey(monthDay, partition), localDate });
  }
  return segments;
}

/** Group pending segments into this round's batches; what does not fit stays pending. */
export function planBatches(pending: readonly Segment[], page: number, options: PlanOptions = DEFAULT_PLAN): { batches: Batch[]; pending: Segment[] } {
  const batches: Batch[] = [];
  let at = 0;
  while (at < pending.length && batches.length < options.maxBatchesPerRound) {
    const segments = pending.slice(at, at + options.segmentsPerBatch);
    batches.push({ batchId: `p${page}b${batches.length}`, segments, limit: options.limit });
    at += segments.length;
  }
  return { batches, pending: pending.slice(at) };
}

export function addCounts(into: Counts, from: Counts): Counts {
  const out = { ...into };
  for (const [k, v] of Object.entries(from)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The first state: nothing read yet. */
export function initialState(run: Run, segments: Segment[], totals: Counts = {}, serial = false): RunState {
  return { run, pending: segments, totals, page: 0, batches: [], done: false, results: [], serial };
}

/**
 * One QueryDuePage step: fold the previous round's results into the totals (a failed batch counts `batch_failed`),
 * put continuations in front of what is pending (finish a partition before starting new ones), plan the next round
 * (one batch when the run is `serial`).
 */
export function nextPage(state: RunState, options: PlanOptions = DEFAULT_PLAN): RunState {
  let totals = state.totals;
  const continuations: Segment[] = [];
  for (const result of state.results) {
    totals = addCounts(totals, result.counts);
    if (result.failed) totals = addCounts(totals, { batch_failed: 1 });
    continuations.push(...result.continuation);
  }
  const page = state.page + (state.results.length > 0 || state.batches.length > 0 ? 1 : 0);
  // A tight budget: one batch per round, so every batch (and its continuation) runs in the plan's order.
  const planned = planBatches([...continuations, ...state.pending], page, state.serial ? { ...options, maxBatchesPerRound: 1 } : options);
  return { run: state.run, totals, page, pending: planned.pending, batches: planned.batches, done: planned.batches.length === 0, results: [], serial: state.serial };
}
