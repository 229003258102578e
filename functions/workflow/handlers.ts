// The four workflow steps as handlers over injected dependencies: `makeHandlers(deps)` is what each Lambda entry
// wires from its environment, and what the local runtime and tests call with their own adapters. A handler accepts the
// raw payload or the `{ Payload }` envelope of a lambda:invoke task and always answers `{ Payload }`.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ProcessBatchInput, RunState, type BatchResult, type RunSummary } from '../../core/schemas/workflow.js';
import { nextPage, DEFAULT_PLAN, type PlanOptions } from '../../core/workflow/plan.js';
import { processBatch, type ProcessDeps } from '../../core/workflow/process.js';
import { loadCampaign, summarize, type LoadDeps, type SummarizeDeps } from '../../core/workflow/run.js';
import { unwrap } from './unwrap.js';

export interface Observability {
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: Pick<Metrics, 'addMetric' | 'publishStoredMetrics' | 'addDimension'>;
}

export interface WorkflowDeps {
  load?: LoadDeps;
  plan?: Partial<PlanOptions>;
  process?: ProcessDeps;
  summarize?: SummarizeDeps;
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

export function loadCampaignHandler(deps: Pick<WorkflowDeps, 'load' | 'plan' | 'observability'>) {
  const { logger } = deps.observability ?? {};
  const plan = planOf(deps);
  return async (event: unknown): Promise<Envelope<RunState>> => {
    const state = await loadCampaign(unwrap(event), { ...need(deps.load, 'load deps'), plan });
    logger?.info('run loaded', { runId: state.run.runId, segments: state.pending.length, totals: state.totals });
    return { Payload: state };
  };
}

export function queryDuePageHandler(deps: Pick<WorkflowDeps, 'plan' | 'observability'>) {
  const { logger } = deps.observability ?? {};
  const plan = planOf(deps);
  return async (event: unknown): Promise<Envelope<RunState>> => {
    const state = nextPage(RunState.parse(unwrap(event)), plan);
    logger?.info('page planned', { runId: state.run.runId, page: state.page, batches: state.batches.length, pending: state.pending.length, done: state.done });
    return { Payload: state };
  };
}

export function processBatchHandler(deps: Pick<WorkflowDeps, 'process' | 'observability'>) {
  const { logger, metrics } = deps.observability ?? {};
  return async (event: unknown): Promise<Envelope<BatchResult>> => {
    const input = ProcessBatchInput.parse(unwrap(event));
    try {
      const result = await processBatch(input, need(deps.process, 'process deps'));
      if (metrics) {
        let skipped = 0;
        for (const [key, n] of Object.entries(result.counts)) {
          if (METRIC_BY_OUTCOME[key]) metrics.addMetric(METRIC_BY_OUTCOME[key]!, MetricUnit.Count, n);
          if (key.startsWith('skipped:')) skipped += n;
        }
        metrics.addMetric('AsksSkipped', MetricUnit.Count, skipped);
        metrics.publishStoredMetrics();
      }
      logger?.info('batch done', { runId: input.run.runId, batchId: input.batch.batchId, counts: result.counts, continuation: result.continuation.length });
      return { Payload: result };
    } catch (error) {
      logger?.warn('batch failed', { runId: input.run.runId, batchId: input.batch.batchId, error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  };
}

export function summarizeHandler(deps: Pick<WorkflowDeps, 'summarize' | 'observability'>) {
  const { logger } = deps.observability ?? {};
  return async (event: unknown): Promise<Envelope<RunSummary>> => {
    const summary = await summarize(RunState.parse(unwrap(event)), need(deps.summarize, 'summarize deps'));
    logger?.info('run completed', { runId: summary.run.runId, totals: summary.totals, pages: summary.pages });
    return { Payload: summary };
  };
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
