// One run of one campaign through aws-local-stepfunctions with the synthesized definition and the real handlers in
// this process: the same states, retries and catches as in the cloud. Counts state transitions from the event log.
import './polyfills.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nanoIds } from '../adapters/clock.js';
import { DynamoProgressStore } from '../adapters/dynamo/progress.js';
import { FileCampaignRepository } from '../adapters/campaign-files.js';
import { CustomerStore } from '../adapters/dynamo/customers.js';
import { DynamoRunStore } from '../adapters/dynamo/runs.js';
import { FileEventPublisher, MemoryPublisher } from '../adapters/eventbridge.js';
import { PseudonymizingPublisher, SubjectStore } from '../adapters/dynamo/subjects.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadKeyring } from '../adapters/signing-keys.js';
import type { CampaignRepository, EventPublisher } from '../core/ports.js';
import { STATE, type BatchResult, type Counts, type RunInput, type RunSummary } from '../core/schemas/workflow.js';
import type { PlanOptions } from '../core/workflow/plan.js';
import type { ProcessDeps } from '../core/workflow/process.js';
import { makeHandlers, type WorkflowDeps, type WorkflowHandlers } from '../functions/workflow/handlers.js';
import { buildProcessDeps } from '../functions/workflow/process-deps.js';

export interface LocalWiring {
  doc: DynamoDBDocumentClient;
  tableName: string;
  sesUrl: string;
  publicBaseUrl: string;
  keysFile?: string;
  eventsFile?: string;
  smsOutboxFile?: string;
  campaigns?: CampaignRepository;
  templatesDir?: string;
  plan?: Partial<PlanOptions>;
  /** Where events go instead of eventsFile (a deployed stack's bus with `asks run --target aws`). */
  events?: EventPublisher;
  /** The token keyring instead of keysFile (a deployed stack's signing secret). */
  keyring?: ProcessDeps['keyring'];
  /** Overrides for ProcessBatch's dependencies (tests: a crash hook). */
  process?: Partial<ProcessDeps>;
  /** Hours back an hour-mode run resumes open partitions and reads due asks (default 24). */
  lookbackHours?: number;
  /** The run's clock (default: its scheduled instant); a simulation may advance it. */
  clockFor?: WorkflowDeps['clockFor'];
  /** Wraps the channel senders (the simulator observes every message that went out). */
  wrapSenders?: (senders: ProcessDeps['senders']) => ProcessDeps['senders'];
  /** SES sends per second (the bench lifts it; default 14 like the account quota). */
  sendRatePerSecond?: number;
}

export type LocalDeps = ReturnType<typeof localDeps>;

/** The workflow's dependencies on local servers, with the concrete stores exposed for read counters. */
export function localDeps(w: LocalWiring) {
  // Events leave with subject ids instead of customer ids, as in the cloud (docs/privacy.md).
  const events: EventPublisher = w.events ?? new PseudonymizingPublisher(w.eventsFile ? new FileEventPublisher(w.eventsFile) : new MemoryPublisher(), new SubjectStore(w.doc, w.tableName));
  const campaigns = w.campaigns ?? new FileCampaignRepository(w.templatesDir ? { templatesDir: w.templatesDir } : {});
  const keysFile = w.keysFile ?? '.local/keys.json';
  const processDeps = buildProcessDeps({
    doc: w.doc,
    tableName: w.tableName,
    sesEndpoint: w.sesUrl,
    publicBaseUrl: w.publicBaseUrl,
    events,
    keyring: w.keyring ?? (() => loadKeyring({ SIGNING_KEYS_FILE: keysFile })),
    campaigns,
    ...(w.templatesDir ? { templatesDir: w.templatesDir } : {}),
    ...(w.smsOutboxFile ? { smsOutboxFile: w.smsOutboxFile } : {}),
    ...(w.sendRatePerSecond ? { sendRatePerSecond: w.sendRatePerSecond } : {}),
  });
  if (w.wrapSenders) processDeps.senders = w.wrapSenders(processDeps.senders);
  const loadCustomers = new CustomerStore(w.doc, w.tableName);
  const runs = new DynamoRunStore(w.doc, w.tableName);
  const progress = new DynamoProgressStore(w.doc, w.tableName);
  const handlers = makeHandlers({
    load: { campaigns, customers: loadCustomers, ids: nanoIds, runs, budget: processDeps.stores.budget, recovery: { progress, ...(w.lookbackHours !== undefined ? { lookbackHours: w.lookbackHours } : {}) } },
    ...(w.plan ? { plan: w.plan } : {}),
    process: { ...processDeps, ...w.process },
    progress,
    runs,
    summarize: { runs, events },
    ...(w.clockFor ? { clockFor: w.clockFor } : {}),
    // The handlers log as in Lambda, at POWERTOOLS_LOG_LEVEL (npm start: WARN unless set; tests scan DEBUG output).
    observability: { logger: new Logger({ serviceName: 'referral-asks-local' }) },
  });
  return { handlers, events, stores: { ...processDeps.stores, loadCustomers, progress, runs }, campaigns };
}

export interface RunProgress {
  batchesDone: number;
  counts: Counts;
}

export interface LocalRunResult {
  summary?: RunSummary;
  /** State transitions as Step Functions bills them: states entered (inside Map iterations too) plus retries. */
  transitions: number;
  /** Lambda invocations by state, with their total duration. */
  invocations: Record<string, { count: number; totalMs: number }>;
  durationMs: number;
  error?: string;
  aborted?: boolean;
}

export interface RunOptions {
  definition: Record<string, unknown>;
  handlers: WorkflowHandlers;
  input: RunInput;
  onProgress?: (p: RunProgress) => void;
  /** Milliseconds between retries locally (the definition's backoff is seconds: too slow for a laptop). */
  retryIntervalMs?: number;
  /** Abort the execution when this returns true (checked after each batch). */
  abortWhen?: (p: RunProgress) => boolean;
  /** Abort the execution when this signal fires (a killed `asks run`: work in flight is left as it is). */
  signal?: AbortSignal;
}

// Validating a definition (asl-validator) takes most of a second: each definition is validated once per process.
const machines = new WeakMap<object, StateMachine>();
function machineFor(definition: Record<string, unknown>): StateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { checkArn: false } });
    machines.set(definition, machine);
  }
  return machine;
}

/** Run one execution to the end. Never throws for a failed execution: `error` says why. */
export async function runExecution(options: RunOptions): Promise<LocalRunResult> {
  const started = Date.now();
  const invocations: LocalRunResult['invocations'] = {};
  const progress: RunProgress = { batchesDone: 0, counts: {} };
  let aborted = false;
  const timed =
    <T>(name: string, fn: (input: unknown) => Promise<T>) =>
    async (input: unknown): Promise<T> => {
      const t0 = performance.now();
      try {
        return await fn(input);
      } finally {
        const slot = (invocations[name] ??= { count: 0, totalMs: 0 });
        slot.count += 1;
        slot.totalMs += performance.now() - t0;
      }
    };
  const h = options.handlers;
  const processBatch = timed(STATE.ProcessBatch, async (input: unknown) => {
    const out = await h.processBatch(input);
    const result = out.Payload as BatchResult;
    progress.batchesDone += 1;
    for (const [k, v] of Object.entries(result.counts)) progress.counts[k] = (progress.counts[k] ?? 0) + v;
    options.onProgress?.(progress);
    if (options.abortWhen?.(progress)) {
      aborted = true;
      execution.abort();
    }
    return out;
  });
  const machine = machineFor(options.definition);
  const retry = options.retryIntervalMs ?? 20;
  const execution = machine.run(options.input as unknown as Parameters<StateMachine['run']>[0], {
    noThrowOnAbort: true,
    overrides: {
      taskResourceLocalHandlers: {
        [STATE.LoadCampaign]: timed(STATE.LoadCampaign, h.loadCampaign) as never,
        [STATE.QueryDuePage]: timed(STATE.QueryDuePage, h.queryDuePage) as never,
        [STATE.ProcessBatch]: processBatch as never,
        [STATE.Summarize]: timed(STATE.Summarize, h.summarize) as never,
      },
      retryIntervalOverrides: { [STATE.LoadCampaign]: retry, [STATE.QueryDuePage]: retry, [STATE.ProcessBatch]: retry, [STATE.Summarize]: retry },
    },
  });
  const onAbort = (): void => {
    aborted = true;
    execution.abort();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let transitions = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered' || event.type === 'StateRetried') transitions += 1;
    }
  })();
  let summary: RunSummary | undefined;
  let error: string | undefined;
  try {
    summary = ((await execution.result) ?? undefined) as RunSummary | undefined;
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  options.signal?.removeEventListener('abort', onAbort);
  // An aborted execution's event log may never end: do not wait for it.
  if (!aborted) await counting.catch(() => undefined);
  return { ...(summary ? { summary } : {}), transitions, invocations, durationMs: Date.now() - started, ...(error ? { error } : {}), ...(aborted ? { aborted } : {}) };
}
