// The two ends of a run: LoadCampaign (input -> first state with the segments to read) and Summarize (totals ->
// run record and the run-completed event).
import type { CampaignRepository, Clock, EventPublisher, IdGenerator } from '../ports.js';
import { isDateMilestoneKind } from '../schemas/campaign.js';
import { projectEvent } from '../schemas/events.js';
import { RunInput, type Run, type RunState, type RunSummary } from '../schemas/workflow.js';
import { NotFoundError } from '../errors.js';
import { budgetIsTight, type BudgetStore } from '../budget.js';
import { DEFAULT_PLAN, initialState, planSegments, runFor, type PlanOptions } from './plan.js';
import type { ProgressStore, RunRecorder } from './ports.js';
import { BATCH_JOURNAL_LEASE_MS, DEFAULT_RECOVERY, dueAskSegment, hourOf, hoursBack, missedHours, runClock, type RecoveryOptions } from './recovery.js';

export interface LoadDeps {
  campaigns: CampaignRepository;
  customers: { listPartitions(): Promise<string[]> };
  plan?: Partial<PlanOptions>;
  /** Draws the execution id (one run record per execution). */
  ids?: IdGenerator;
  /** Opens the execution's run record. */
  runs?: RunRecorder;
  /**
   * Recovery by design: partition progress (hour mode resumes the open partitions of the last `lookbackHours`) and
   * the due-asks index (deferred asks now due, stale claims). Without it a run reads only its own partitions.
   */
  recovery?: { progress: ProgressStore } & Partial<RecoveryOptions>;
  /** The run's clock (default: the scheduled instant, `run.at`). */
  clockFor?: (run: Run) => Clock;
  /** The campaign's budget item: a tight budget makes the run `serial` (core/budget.ts `budgetIsTight`). */
  budget?: Pick<BudgetStore, 'state'>;
}

/**
 * LoadCampaign: the run (with a fresh execution id), its record opened, and every segment it owes. Hour mode with
 * recovery: this hour's partitions are recorded as open progress, then every partition still open from the last
 * `lookbackHours` (this hour's included, each at its cursor) is read; every run also reads the due-asks index (from
 * its cursor, however long ago, when that is older than the lookback).
 * Throws NotFoundError for an unknown campaign, ValidationError (zod) for a bad input.
 */
export async function loadCampaign(raw: unknown, deps: LoadDeps): Promise<RunState> {
  const input = RunInput.parse(raw);
  const planned = runFor(input);
  const run = deps.ids ? { ...planned, executionId: deps.ids.id(12) } : planned;
  const at = (deps.clockFor?.(run) ?? runClock(run)).now().toISOString();
  const campaign = await deps.campaigns.get(input.campaignId);
  if (!campaign) throw new NotFoundError(`campaignId: no campaign "${input.campaignId}" in the campaign files`);
  await deps.runs?.start?.(run, at);
  // Batches whose process died (their journals outlived the lease) are counted onto their executions' records now.
  await deps.runs?.reconcile?.(input.campaignId, new Date(Date.parse(at) - BATCH_JOURNAL_LEASE_MS).toISOString());
  const recovery = deps.recovery;
  const hourly = run.mode === 'hour' && isDateMilestoneKind(campaign.milestone.kind) && recovery !== undefined;
  if (campaign.status !== 'active') {
    // A paused hour is planned with nothing to read: resuming the campaign does not catch up the pause.
    if (hourly) await recovery.progress.open(campaign.id, hourOf(run.at), [], at);
    return { ...initialState(run, [], { campaign_inactive: 1 }) };
  }
  // Threshold campaigns read the pending index by day and need no partition registry.
  const partitions = isDateMilestoneKind(campaign.milestone.kind) ? await deps.customers.listPartitions() : [];
  const plan = { ...DEFAULT_PLAN, ...deps.plan };
  let segments = planSegments(campaign, run, partitions, plan);
  // One full round could ask maxBatchesPerRound * limit customers: if the budget could run out in it, go one batch
  // at a time (the plan's order) so the plan and the run ask the same customers.
  const serial = deps.budget ? budgetIsTight(campaign, await deps.budget.state(campaign.id), plan.maxBatchesPerRound * plan.limit) : false;
  if (!recovery) return initialState(run, segments, {}, serial);
  const options: RecoveryOptions = { ...DEFAULT_RECOVERY, ...(recovery.lookbackHours !== undefined ? { lookbackHours: recovery.lookbackHours } : {}) };
  if (hourly) {
    const hour = hourOf(run.at);
    const window = hoursBack(run.at, options.lookbackHours);
    await recovery.progress.open(campaign.id, hour, segments, at);
    let found = await recovery.progress.window(campaign.id, window[0]!, hour);
    // Hours no run planned since the campaign's first planned hour in the window: a fire that never came (an outage,
    // a crash before planning, or the fall-back hour EventBridge Scheduler does not repeat). Plan them now.
    const missed = missedHours(window, found.plannedHours, hour);
    if (missed.length > 0) {
      for (const h of missed) await recovery.progress.open(campaign.id, h, planSegments(campaign, { ...run, at: `${h}:00:00.000Z` }, partitions, plan), at);
      found = await recovery.progress.window(campaign.id, window[0]!, hour);
    }
    segments = found.open;
  }
  return initialState(run, [...segments, dueAskSegment(run, options, await recovery.progress.dueAsksFrom?.(campaign.id))], {}, serial);
}

export interface SummarizeDeps {
  runs: RunRecorder;
  events: EventPublisher;
  /** The run's clock (default: the scheduled instant, `run.at`). */
  clock?: Clock;
}

export async function summarize(state: RunState, deps: SummarizeDeps): Promise<RunSummary> {
  const summary: RunSummary = { run: state.run, totals: state.totals, pages: state.page, completedAt: (deps.clock ?? runClock(state.run)).now().toISOString() };
  await deps.runs.record(summary);
  await deps.events.publish([projectEvent('referral.run.completed', { occurredAt: summary.completedAt, runId: state.run.runId, campaignId: state.run.campaignId, runDate: state.run.runDate, totals: state.totals })]);
  return summary;
}
