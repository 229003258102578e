// The ports a run needs beyond core/ports.ts: reading due customers and pending milestones, claiming asks, codes,
// budget, suppression, run records. Adapters in adapters/dynamo implement them; tests may fake them.
import type { Ask, AskStatus } from '../schemas/ask.js';
import type { AskHistory, Customer } from '../schemas/customer.js';
import type { Counts, Run, RunSummary, Segment } from '../schemas/workflow.js';

export type DueCustomer = Customer & AskHistory;

export interface DuePage {
  items: DueCustomer[];
  lastKey?: Record<string, unknown>;
  invalid: Array<{ customerId: string; errors: string[] }>;
}

export interface CustomerReader {
  queryDue(input: { index: string; partition: string; startKey?: Record<string, unknown>; limit: number }): Promise<DuePage>;
  getMany(customerIds: string[]): Promise<DueCustomer[]>;
  recordAsk(customerId: string, askAt: string, history: string[]): Promise<void>;
  listPartitions(): Promise<string[]>;
}

export interface PendingMilestone {
  customerId: string;
  sk: string;
  kind: string;
  threshold: string;
  occurrenceId: string;
  occurredAt: string;
  dueAt: string;
}

export interface PendingReader {
  queryPending(input: { day: string; startKey?: Record<string, unknown>; limit: number }): Promise<{ items: PendingMilestone[]; lastKey?: Record<string, unknown> }>;
  markHandled(customerId: string, sk: string, handledAt?: string): Promise<void>;
}

/** `existing`: the status of the ask that kept the claim from being taken (read after the lost conditional put). */
/** `takenOverReservationMinor`: the open budget reservation of a dead worker's claim this claim replaced (give it back). */
export type ClaimResult = { claimed: boolean; existing?: AskStatus; existingExecutionId?: string; existingBatchId?: string; takenOverReservationMinor?: number };

export interface AskWriter {
  /**
   * Write the ask unless this occurrence already has a decided ask or a live claim. A `claimed` ask is also filed in
   * the due-asks index at the end of its lease and a `deferred` one at `deferredUntil`, so a later run finds both.
   */
  claim(ask: Ask, claimToken: string): Promise<ClaimResult>;
  /** Finish a claimed ask (only the holder of `claimToken`); status `sent` also records the send marker as sent. */
  complete(customerId: string, occurrenceId: string, claimToken: string, fields: Partial<Ask> & Pick<Ask, 'status' | 'updatedAt'>): Promise<void>;
  /**
   * Settle a claim whose worker died after its send marker was written (`stale.sendState`), only while it is still
   * that claim with that marker; false when somebody settled it meanwhile.
   */
  settle(stale: Pick<Ask, 'customerId' | 'milestone' | 'updatedAt' | 'sendState'>, fields: Partial<Ask> & Pick<Ask, 'status' | 'updatedAt'>): Promise<boolean>;
  /**
   * A sent ask's attribution window ended with its reservation still open: mark it `expired` (once: only while open)
   * and take it out of the due-asks index. Returns the minor units to give back to the budget (0 if not open any more).
   */
  expireReservation?(customerId: string, occurrenceId: string, at: string): Promise<number>;
}

export interface SuppressionReader {
  /** The normalized addresses among `addresses` that are suppressed. */
  suppressed(addresses: string[]): Promise<Set<string>>;
}

export interface CodeIssuer {
  /** The advocate's code for the campaign, created on first use; `knownCode` (from `known`) skips the pointer's write. */
  ensure(owner: { customerId: string; campaignId: string; askId: string; firstName: string }, now: string, knownCode?: string): Promise<string>;
  /** The codes these advocates already have for the campaign, by customer id (one read per batch). */
  known?(customerIds: readonly string[], campaignId: string): Promise<Map<string, string>>;
}

export interface BudgetReader {
  spentMinor(campaignId: string): Promise<number>;
}

/** One record per run execution. */
export interface RunRecorder {
  /** The execution began (status running): a killed execution still leaves its record and partial counts. */
  start?(run: Run, at: string): Promise<void>;
  /** The journal of a batch in progress (see BatchJournal). */
  openBatch?: BatchJournal['openBatch'];
  /**
   * Add one batch's counts to the execution's record (atomic ADD). With `batchId`, at most once per batch of the
   * execution (a retried batch or a reconciled journal does not count twice); returns false when already counted.
   */
  addCounts?(run: Run, counts: Counts, batchId?: string): Promise<boolean | void>;
  /** The batch's journal is no longer needed: its counts are on the record. */
  closeBatch?(run: Run, batchId: string): Promise<void>;
  /**
   * Count the batches whose process died (journals older than `before`, an ISO instant) from their asks onto their
   * executions' records, once each, and delete those journals. Returns the batches counted.
   */
  reconcile?(campaignId: string, before: string): Promise<number>;
  /** The execution finished: final totals, status completed. */
  record(summary: RunSummary): Promise<void>;
}

/**
 * The journal of a batch in progress: the asks it is about to handle, written before its first claim. A retried
 * attempt keeps the earlier attempts' asks in it, and gets back the counts of those it will not meet again (an earlier
 * attempt decided them and they left the read, as a sent threshold ask leaves the pending index).
 */
export interface BatchJournal {
  openBatch(run: Run, batchId: string, asks: Array<{ customerId: string; occurrenceId: string }>, at: string): Promise<Counts | void>;
}

/** Asks filed in the due-asks index under `<campaignId>#<YYYY-MM-DDTHH>` (deferred, or a claim whose lease ends then). */
export interface DueAskReader {
  queryDueAsks(input: { partition: string; startKey?: Record<string, unknown>; limit: number }): Promise<{ items: Ask[]; lastKey?: Record<string, unknown> }>;
}

/** Durable progress of hour-mode partitions (one record per segment and the hour it was planned). */
export interface ProgressStore {
  /**
   * Mark `hour` planned and create an open record per segment unless one exists (conditional puts); returns the
   * segments with their keys. With no segments it only marks the hour.
   */
  open(campaignId: string, hour: string, segments: Segment[], at: string): Promise<Segment[]>;
  /**
   * From `fromHour` to `toHour` (inclusive, `YYYY-MM-DDTHH`): the open segments, oldest first, with their cursors, and
   * the hours some run planned (oldest first).
   */
  window(campaignId: string, fromHour: string, toHour: string): Promise<{ open: Segment[]; plannedHours: string[] }>;
  /** A batch finished part of a segment (`startKey`: resume there) or all of it (`done`). */
  advance(campaignId: string, progress: string, update: { done: true } | { startKey: Record<string, unknown> }, at: string): Promise<void>;
  /**
   * The oldest hour bucket (`YYYY-MM-DDTHH`) of the due-asks index that may still hold work for the campaign, or
   * undefined when no run has read the index to the end yet. A run reads from it when it is older than its lookback.
   */
  dueAsksFrom?(campaignId: string): Promise<string | undefined>;
  /** A batch read every due-asks bucket up to `hour` to the end: the cursor moves up to `hour` (never back). */
  dueAsksReadThrough?(campaignId: string, hour: string, at: string): Promise<void>;
}

/** Where a short SMS link (`/k/<id>`) leads: the share token of the ask (adapters/dynamo/short-links.ts). */
export interface ShortLinkWriter {
  put(id: string, shareToken: string, at: string): Promise<void>;
}
