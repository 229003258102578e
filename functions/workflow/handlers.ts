// The four workflow steps as handlers over injected dependencies: `makeHandlers(deps)` is what each Lambda entry
// wires from its environment, and what the local runtime and tests call with their own adapters. A handler accepts the
// raw payload or the `{ Payload }` envelope of a lambda:invoke task and always answers `{ Payload }`.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { skipReasonMetric } from '../../core/analytics/metrics.js';
import type { Clock } from '../../core/ports.js';
import { ProcessBatchInput, RunState, type BatchResult, type Run, type RunSummary } from '../../core/schemas/workflow.js';
import type { ProgressStore, RunRecorder } from '../../core/workflow/ports.js';
import { dueAsksReadThrough, progressUpdates, runClock } from '../../core/workflow/recovery.js';
import { withRunClock } from '../../adapters/clock.js';
import { nextPage, DEFAULT_PLAN, type PlanOptions } from '../../core/workflow/plan.js';
import { processBatch, type ProcessDeps } from '../../core/workflow/process.js';
import { loadCampaign, summarize, type LoadDeps, type SummarizeDeps } from '../../core/workflow/run.js';
import { unwrap } from './unwrap.js';
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

export interface Observability {
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: Pick<Metrics, 'addMetric' | 'publishStoredMetrics' | 'addDimension'>;
}

export interface WorkflowDeps {
  load?: LoadDeps;
  plan?: Partial<PlanOptions>;
  process?: ProcessDeps;
  /** ProcessBatch's bookkeeping: partition progress after each finished batch, counts onto the execution's record. */
  progress?: ProgressStore;
  runs?: RunRecorder;
  summarize?: SummarizeDeps;
  /**
   * The clock of a run (default: its scheduled instant). Every write of LoadCampaign, ProcessBatch (and the channel
   * adapters through the ambient clock) and Summarize takes its time from it; a local simulation may advance it.
   */
  clockFor?: (run: Run) => Clock;
  observability?: Observability;
}

export type Envelope<T> = { Payload: T };

export { unwrap };

function need<T>(dep: T | undefined, name: string): T {
  if (dep === undefined) throw new Error(`workflow handler wired without ${name}`);
  return dep;
}

const METRIC_BY_OUTCOME: Record<string, string> = { sent: 'AsksSent', held_out: 'AsksHeldOut', failed: 'AsksFailed', deferred: 'AsksDeferred' };

// One factory per step, so each Lambda entry bundles only the core code its own step runs; makeHandlers wires all four
// (the local runtime, tests).
function planOf(deps: Pick<WorkflowDeps, 'plan'>): PlanOptions {
  return { ...DEFAULT_PLAN, ...deps.plan };
}

function clockOf(deps: Pick<WorkflowDeps, 'clockFor'>, run: Run): Clock {
  return deps.clockFor?.(run) ?? runClock(run);
}

export function loadCampaignHandler(deps: Pick<WorkflowDeps, 'load' | 'plan' | 'observability' | 'clockFor'>) {
  const { logger } = deps.observability ?? {};
  const plan = planOf(deps);
  return inFunction(FUNCTION_ID.LoadCampaign, async (event: unknown): Promise<Envelope<RunState>> => {
    const load = need(deps.load, 'load deps');
    const state = await loadCampaign(unwrap(event), { ...load, plan, ...(deps.clockFor && !load.clockFor ? { clockFor: deps.clockFor } : {}) });
    logger?.info('run loaded', { runId: state.run.runId, segments: state.pending.length, totals: state.totals });
    return { Payload: state };
  });
}

export function queryDuePageHandler(deps: Pick<WorkflowDeps, 'plan' | 'observability'>) {
  const { logger } = deps.observability ?? {};
  const plan = planOf(deps);
  return inFunction(FUNCTION_ID.QueryDuePage, async (event: unknown): Promise<Envelope<RunState>> => {
    const state = nextPage(RunState.parse(unwrap(event)), plan);
    logger?.info('page planned', { runId: state.run.runId, page: state.page, batches: state.batches.length, pending: state.pending.length, done: state.done });
    return { Payload: state };
  });
}

export function processBatchHandler(deps: Pick<WorkflowDeps, 'process' | 'observability' | 'progress' | 'runs' | 'clockFor'>) {
  const { logger, metrics } = deps.observability ?? {};
  return inFunction(FUNCTION_ID.ProcessBatch, async (event: unknown): Promise<Envelope<BatchResult>> => {
    const input = ProcessBatchInput.parse(unwrap(event));
    const clock = clockOf(deps, input.run);
    try {
      const result = await withRunClock(clock, async () => {
        const process = need(deps.process, 'process deps');
        const journal = process.journal ?? (deps.runs?.openBatch ? (deps.runs as Required<Pick<RunRecorder, 'openBatch'>>) : undefined);
        const out = await processBatch(input, { ...process, clock, ...(journal ? { journal } : {}) });
        // Durable bookkeeping after the batch's work: a crash before here leaves the partitions open at their last
        // cursor (the next hourly run resumes them) and the batch's journal behind (a later run counts its asks).
        const at = clock.now().toISOString();
        for (const { progress, update } of progressUpdates(input.batch, out)) await deps.progress?.advance(input.run.campaignId, progress, update, at);
        const readThrough = dueAsksReadThrough(input.batch, out);
        if (readThrough) await deps.progress?.dueAsksReadThrough?.(readThrough.campaignId, readThrough.hour, at);
        // Once per batch of the execution: a retried attempt or a reconciled journal does not count twice.
        await deps.runs?.addCounts?.(input.run, out.counts, input.batch.batchId);
        await deps.runs?.closeBatch?.(input.run, input.batch.batchId);
        return out;
      });
      if (metrics) {
        let skipped = 0;
        for (const [key, n] of Object.entries(result.counts)) {
          if (METRIC_BY_OUTCOME[key]) metrics.addMetric(METRIC_BY_OUTCOME[key]!, MetricUnit.Count, n);
          if (key.startsWith('skipped:')) skipped += n;
        }
        metrics.addMetric('AsksSkipped', MetricUnit.Count, skipped);
        for (const [key, n] of Object.entries(result.counts)) if (key.startsWith('skipped:')) metrics.addMetric(skipReasonMetric(key.slice(8)), MetricUnit.Count, n);
        metrics.publishStoredMetrics();
      }
      logger?.info('batch done', { runId: input.run.runId, batchId: input.batch.batchId, counts: result.counts, continuation: result.continuation.length });
      return { Payload: result };
    } catch (error) {
      logger?.warn('batch failed', { runId: input.run.runId, batchId: input.batch.batchId, error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  });
}

export function summarizeHandler(deps: Pick<WorkflowDeps, 'summarize' | 'observability' | 'clockFor'>) {
  const { logger } = deps.observability ?? {};
  return inFunction(FUNCTION_ID.Summarize, async (event: unknown): Promise<Envelope<RunSummary>> => {
    const state = RunState.parse(unwrap(event));
    const summary = await summarize(state, { ...need(deps.summarize, 'summarize deps'), clock: clockOf(deps, state.run) });
    logger?.info('run completed', { runId: summary.run.runId, totals: summary.totals, pages: summary.pages });
    return { Payload: summary };
  });
}

export function makeHandlers(deps: WorkflowDeps) {
  return {
    loadCampaign: loadCampaignHandler(deps),
    queryDuePage: queryDuePageHandler(deps),
    processBatch: processBatchHandler(deps),
    summarize: summarizeHandler(deps),
  };
}

export type WorkflowHandlers = ReturnType<typeof makeHandlers>;
