// Payloads that travel between the states of the run workflow. They carry keys and cursors, never
// customer records, so a payload stays far below the 256 KB Step Functions limit.
import * as z from 'zod';
import { LocalDate, UtcInstant } from './common.js';

/** State names of the run state machine. Local handlers are keyed by these names. */
export const STATE = {
  LoadCampaign: 'LoadCampaign',
  QueryDuePage: 'QueryDuePage',
  HasBatches: 'HasBatches',
  ProcessBatches: 'ProcessBatches',
  ProcessBatch: 'ProcessBatch',
  BatchFailed: 'BatchFailed',
  Summarize: 'Summarize',
} as const;

/** Execution input: what the schedule (through the start-run function) or `asks run` sends. */
export const RunInput = z.object({
  campaignId: z.string().min(1),
  /** The scheduled instant. With mode "hour" only the zones at the campaign's send hour are read. */
  at: UtcInstant,
  /** "hour": zones whose local time is the send hour at `at`; "day": every zone, local date = runDate. */
  mode: z.enum(['hour', 'day']).default('hour'),
  /** With mode "day": the local date to run. */
  runDate: LocalDate.optional(),
});
export type RunInput = z.infer<typeof RunInput>;

/** One slice of work: a partition of an index, optionally resumed after a key. */
export const Segment = z.object({
  /** Index name, e.g. "DueSignup" or "PendingMilestones". */
  index: z.string(),
  /** Partition key value, e.g. "11-24#Europe/Berlin#03". */
  partition: z.string(),
  /** The local date the partition is read for (the milestone date being celebrated). */
  localDate: LocalDate,
  /** DynamoDB ExclusiveStartKey to resume from. */
  startKey: z.record(z.string(), z.unknown()).optional(),
  /** Hour mode: the sort key of the segment's durable progress record (`<hour>#<index>#<partition>`). */
  progress: z.string().optional(),
});
export type Segment = z.infer<typeof Segment>;

export const Batch = z.object({
  batchId: z.string(),
  segments: z.array(Segment).min(1),
  /** Max customers this batch reads before it hands the rest back as a continuation. */
  limit: z.number().int().min(1).max(1000),
});
export type Batch = z.infer<typeof Batch>;

/** Counts by outcome: "sent", "held_out", "deferred", "failed", "skipped:<reason>", "batch_failed". */
export const Counts = z.record(z.string(), z.number().int().min(0));
export type Counts = z.infer<typeof Counts>;

export const Run = z.object({
  runId: z.string(),
  campaignId: z.string(),
  at: UtcInstant,
  mode: z.enum(['hour', 'day']),
  /** The run's date label (UTC date of `at`, or the requested local date in day mode). */
  runDate: LocalDate,
  /** One id per execution (LoadCampaign draws it): every execution of a run keeps its own run record. */
  executionId: z.string().optional(),
});
export type Run = z.infer<typeof Run>;

export const BatchResult = z.object({
  batchId: z.string(),
  counts: Counts,
  /** Segments left unfinished (limit reached): picked up by the next QueryDuePage. */
  continuation: z.array(Segment).default([]),
  failed: z.boolean().default(false),
  error: z.string().optional(),
});
export type BatchResult = z.infer<typeof BatchResult>;

/** The whole state between steps: LoadCampaign returns it, QueryDuePage folds results and plans the next page. */
export const RunState = z.object({
  run: Run,
  /** Segments still to read. */
  pending: z.array(Segment),
  totals: Counts,
  page: z.number().int().min(0),
  batches: z.array(Batch).default([]),
  done: z.boolean().default(false),
  /** Output of the previous Map (BatchResult[]), folded in by QueryDuePage. */
  results: z.array(BatchResult).default([]),
  /**
   * The budget is tight (core/budget.ts `budgetIsTight`, decided by LoadCampaign): one batch per round, in the order
   * `asks plan` reads the customers, so the plan and the run ask the same customers.
   */
  serial: z.boolean().default(false),
});
export type RunState = z.infer<typeof RunState>;

/** What ProcessBatch receives from the Map's ItemSelector. */
export const ProcessBatchInput = z.object({ run: Run, batch: Batch });
export type ProcessBatchInput = z.infer<typeof ProcessBatchInput>;

export const RunSummary = z.object({
  run: Run,
  totals: Counts,
  pages: z.number().int(),
  completedAt: UtcInstant,
});
export type RunSummary = z.infer<typeof RunSummary>;
