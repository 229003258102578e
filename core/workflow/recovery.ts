// Recovery by design in hour mode: what an hourly run owes besides this hour's partitions. It resumes the partitions
// of the last `lookbackHours` hours that no run finished (their progress records are still open) and reads the asks
// that fell due since (deferred past quiet hours or an SMS window, or a claim whose worker died). Pure helpers; the
// stores come in through ports (core/workflow/ports.ts).
import type { Clock } from '../ports.js';
import type { Ask } from '../schemas/ask.js';
import type { BatchResult, Batch, Run, Segment } from '../schemas/workflow.js';

/** The due-asks index (names match adapters/dynamo/keys.ts). */
export const DUE_ASKS_INDEX = 'DueAsks';

/** Hour buckets of the due-asks index queried in parallel by one read (a 24-hour lookback is one round trip). */
export const DUE_ASK_BUCKETS_PER_READ = 25;

export interface RecoveryOptions {
  /** Hours back a run looks for unfinished partitions and due asks (default 24). */
  lookbackHours: number;
}

export const DEFAULT_RECOVERY: RecoveryOptions = { lookbackHours: 24 };

const HOUR_MS = 3_600_000;

/** `YYYY-MM-DDTHH` of an instant. */
export function hourOf(at: Date | string): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 13);
}

/** The hour buckets from `lookbackHours` before `at` up to the hour of `at`, oldest first. */
export function hoursBack(at: string, lookbackHours: number): string[] {
  const t = Date.parse(at);
  const out: string[] = [];
  for (let back = Math.max(0, Math.floor(lookbackHours)); back >= 0; back -= 1) out.push(hourOf(new Date(t - back * HOUR_MS)));
  return out;
}

/**
 * The hours of `window` (oldest first) after the first planned one and before `now` that no run planned. Before the
 * first planned hour nothing is owed (the campaign's first run, or an outage longer than the window).
 */
export function missedHours(window: readonly string[], plannedHours: readonly string[], now: string): string[] {
  const planned = new Set(plannedHours);
  const first = window.find((h) => planned.has(h));
  if (first === undefined) return [];
  return window.filter((h) => h > first && h < now && !planned.has(h));
}

/**
 * The one segment that reads the due-asks index over the lookback window: partition `<campaignId>#<from>..<to>` (hour
 * buckets); ProcessBatch walks the buckets in order with the cursor `{ hour, key }`.
 */
export function dueAskSegment(run: Run, options: RecoveryOptions = DEFAULT_RECOVERY, fromHour?: string): Segment {
  const hours = hoursBack(run.at, options.lookbackHours);
  // However long no run read the index to the end (a stopped schedule, a paused campaign): from the oldest hour that
  // may still hold work (the due-asks cursor), when that is older than the lookback.
  const first = fromHour !== undefined && fromHour < hours[0]! ? fromHour : hours[0];
  return { index: DUE_ASKS_INDEX, partition: `${run.campaignId}#${first}..${hours[hours.length - 1]}`, localDate: run.at.slice(0, 10) };
}

/**
 * The hour a finished batch read the due-asks index through: the last bucket of its due-asks segment when the batch
 * read that segment to the end (no continuation, not failed); otherwise undefined (the cursor stays).
 */
export function dueAsksReadThrough(batch: Batch, result: Pick<BatchResult, 'continuation' | 'failed'>): { campaignId: string; hour: string } | undefined {
  if (result.failed) return undefined;
  const segment = batch.segments.find((s) => s.index === DUE_ASKS_INDEX);
  if (!segment || result.continuation.some((s) => s.index === DUE_ASKS_INDEX)) return undefined;
  const { campaignId, hours } = parseDueAskRange(segment.partition);
  return { campaignId, hour: hours[hours.length - 1]! };
}

/** The campaign and hour buckets of a due-asks segment's partition. */
export function parseDueAskRange(partition: string): { campaignId: string; hours: string[] } {
  const m = /^(.*)#(\d{4}-\d{2}-\d{2}T\d{2})\.\.(\d{4}-\d{2}-\d{2}T\d{2})$/.exec(partition);
  if (!m) throw new RangeError(`not a due-asks range "<campaignId>#<hour>..<hour>": ${partition}`);
  const [, campaignId, from, to] = m as unknown as [string, string, string, string];
  const hours: string[] = [];
  for (let t = Date.parse(`${from}:00:00Z`); t <= Date.parse(`${to}:00:00Z`); t += HOUR_MS) hours.push(hourOf(new Date(t)));
  return { campaignId, hours };
}

/** A claim older than this may be taken over (longer than a ProcessBatch timeout plus its retries). */
export const CLAIM_LEASE_MS = 10 * 60_000;

/**
 * When a stored ask wants a run: deferred -> `deferredUntil`; claimed -> end of its lease; sent with its budget
 * reservation still open -> the end of its attribution window (the run gives the reservation back); otherwise never.
 */
export function askDueAt(ask: Pick<Ask, 'status' | 'deferredUntil' | 'updatedAt'> & Partial<Pick<Ask, 'reservation' | 'reservationExpiresAt'>>): string | undefined {
  if (ask.status === 'deferred') return ask.deferredUntil ?? ask.updatedAt;
  if (ask.status === 'claimed') return new Date(Date.parse(ask.updatedAt) + CLAIM_LEASE_MS).toISOString();
  if (isSentStatus(ask.status) && ask.reservation === 'open' && ask.reservationExpiresAt) return ask.reservationExpiresAt;
  return undefined;
}

/** Statuses of an ask whose message went out. */
export function isSentStatus(status: Ask['status']): boolean {
  return status === 'sent' || status === 'delivered' || status === 'bounced' || status === 'complained';
}

/** Whether an ask read from the due-asks index is this run's to handle now. */
export function askIsDue(ask: Pick<Ask, 'status' | 'deferredUntil' | 'updatedAt' | 'campaignId'> & Partial<Pick<Ask, 'reservation' | 'reservationExpiresAt'>>, run: Pick<Run, 'at' | 'campaignId'>): boolean {
  const due = askDueAt(ask);
  return ask.campaignId === run.campaignId && due !== undefined && Date.parse(due) <= Date.parse(run.at);
}

/**
 * What a finished batch means for the progress records of its segments: a segment handed back as a continuation
 * resumes at its cursor, every other segment of the batch is done. (A failed batch changes nothing: its segments stay
 * open at their last cursor and the next hourly run resumes them.)
 */
export function progressUpdates(batch: Batch, result: Pick<BatchResult, 'continuation' | 'failed'>): Array<{ progress: string; update: { done: true } | { startKey: Record<string, unknown> } }> {
  if (result.failed) return [];
  const cursors = new Map(result.continuation.filter((s) => s.progress && s.startKey).map((s) => [s.progress!, s.startKey!]));
  const untouched = new Set(result.continuation.filter((s) => s.progress && !s.startKey).map((s) => s.progress!));
  const out: ReturnType<typeof progressUpdates> = [];
  for (const segment of batch.segments) {
    if (!segment.progress || untouched.has(segment.progress)) continue;
    const startKey = cursors.get(segment.progress);
    out.push({ progress: segment.progress, update: startKey ? { startKey } : { done: true } });
  }
  return out;
}

/** The clock of a run: its scheduled instant (`run.at`). Every write of the run takes its time from here. */
export function runClock(run: Pick<Run, 'at'>): Clock {
  const at = Date.parse(run.at);
  return { now: () => new Date(at) };
}

/** A batch journal older than this belongs to a process that died (the claim lease: longer than a ProcessBatch attempt). */
export const BATCH_JOURNAL_LEASE_MS = CLAIM_LEASE_MS;

/**
 * The count key a stored ask stands for in its run's record: `sent` for an ask whose message went out, `held_out`,
 * `failed`, `deferred`, `skipped:<reason>`; undefined for a claim still in flight (the run that settles it counts it).
 */
export function countKeyOf(ask: Pick<Ask, 'status' | 'skipReason'>): string | undefined {
  switch (ask.status) {
    case 'sent':
    case 'delivered':
    case 'bounced':
    case 'complained':
      return 'sent';
    case 'held_out':
    case 'failed':
    case 'deferred':
      return ask.status;
    case 'skipped':
      return `skipped:${ask.skipReason ?? 'unknown'}`;
    default:
      return undefined;
  }
}
