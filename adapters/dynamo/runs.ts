// Run records: one per execution (`RUN#<campaignId>` / `<runDate>#<runId>#<executionId>`), so reruns, duplicate fires
// and killed executions each keep their own counts. LoadCampaign opens the record (status running); every finished
// batch ADDs its counts (top-level `n:<outcome>` numbers) once, guarded by the string set `batches` of the batch ids
// already counted; Summarize adds the run-level counts (`batch_failed`, `campaign_inactive`) and sets status completed.
// The record's counts are always the `n:` numbers, for a completed, a killed or a still running execution alike.
//
// A batch whose process dies never reaches its own count: its journal (`RUNJ#<campaignId>` / `<executionId>#<batchId>`,
// the asks it was about to handle, written before its first claim) stays behind, and a later run's LoadCampaign counts
// it from those asks' records onto the dead execution's record (`reconcile`), once, by the same batch-id guard.
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Ask } from '../../core/schemas/ask.js';
import type { Counts, Run, RunSummary } from '../../core/schemas/workflow.js';
import type { BatchJournal, RunRecorder } from '../../core/workflow/ports.js';
import { countKeyOf } from '../../core/workflow/recovery.js';
import { isConditionFailed } from './conditions.js';
import { askSk, customerPk, runJournalKey, runJournalPk, runKey, runPk } from './keys.js';

export { runKey };

const COUNT_PREFIX = 'n:';
/** Counts of the run itself rather than of a batch: Summarize adds them. */
const RUN_LEVEL = ['batch_failed', 'campaign_inactive'];

export interface RunRecord {
  run: Run;
  executionId?: string;
  status: 'running' | 'completed';
  startedAt?: string;
  completedAt?: string;
  pages?: number;
  /** Counts by outcome and skip reason: every counted batch (and the run-level counts once completed). */
  totals: Counts;
  /** Batches of a dead process counted from their asks by a later run. */
  reconciledBatches?: number;
}

interface Journal {
  run: Run;
  batchId: string;
  asks: Array<{ customerId: string; occurrenceId: string }>;
  at: string;
}

/** `YYYY-MM-DD` `days` calendar days before `date` (a key bound; a malformed date gives '' so nothing stops early). */
function dateDaysBefore(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(t) ? '' : new Date(t - days * 86_400_000).toISOString().slice(0, 10);
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export class DynamoRunStore implements RunRecorder, BatchJournal {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(run: Run) {
    return runKey(run.campaignId, run.runDate, run.runId, run.executionId);
  }

  async start(run: Run, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...this.key(run), entity: 'run', run, executionId: run.executionId, status: 'running', startedAt: at } }));
  }

  /**
   * ADD `counts` to the execution's record. With `batchId`: only if that batch was not counted yet (false when it was).
   * `extra` SETs more attributes in the same update.
   */
  async addCounts(run: Run, counts: Counts, batchId?: string, extra: { reconciled?: boolean } = {}): Promise<boolean> {
    const entries = Object.entries(counts).filter(([, n]) => n > 0);
    if (entries.length === 0 && batchId === undefined) return true;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    entries.forEach(([k, n], i) => {
      names[`#c${i}`] = `${COUNT_PREFIX}${k}`;
      values[`:c${i}`] = n;
      adds.push(`#c${i} :c${i}`);
    });
    if (batchId !== undefined) {
      names['#b'] = 'batches';
      values[':b'] = new Set([batchId]);
      values[':bid'] = batchId;
      adds.push('#b :b');
    }
    if (extra.reconciled) {
      names['#r'] = 'reconciledBatches';
      values[':one'] = 1;
      adds.push('#r :one');
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(run),
          UpdateExpression: `ADD ${adds.join(', ')}`,
          ...(batchId !== undefined ? { ConditionExpression: 'attribute_not_exists(#b) OR NOT contains(#b, :bid)' } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (batchId !== undefined && isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Summarize: the run-level counts (once: only while the record is running) and status completed. */
  async record(summary: RunSummary): Promise<void> {
    const { run } = summary;
    const names: Record<string, string> = { '#run': 'run', '#s': 'status' };
    const values: Record<string, unknown> = { ':e': 'run', ':run': run, ':t': summary.totals, ':p': summary.pages, ':c': summary.completedAt, ':done': 'completed' };
    const adds: string[] = [];
    RUN_LEVEL.filter((k) => (summary.totals[k] ?? 0) > 0).forEach((k, i) => {
      names[`#l${i}`] = `${COUNT_PREFIX}${k}`;
      values[`:l${i}`] = summary.totals[k];
      adds.push(`#l${i} :l${i}`);
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(run),
          UpdateExpression: `SET entity = :e, #run = :run, totals = :t, pages = :p, completedAt = :c, #s = :done${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_not_exists(#s) OR #s <> :done',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // Summarize retried after its record was written: counted already.
      if (!isConditionFailed(error)) throw error;
    }
  }

  /**
   * The batch's journal: the asks it is about to handle (before its first claim). A retried attempt finds its earlier
   * attempts' journal: it keeps their asks too, and counts those it will not meet again from their records.
   */
  async openBatch(run: Run, batchId: string, asks: Array<{ customerId: string; occurrenceId: string }>, at: string): Promise<Counts> {
    if (!run.executionId) return {};
    const key = runJournalKey(run.campaignId, run.executionId, batchId);
    const earlier = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item as Journal | undefined;
    const id = (a: { customerId: string; occurrenceId: string }) => `${a.customerId}|${a.occurrenceId}`;
    const now = new Set(asks.map(id));
    const gone = (earlier?.asks ?? []).filter((a) => !now.has(id(a)));
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...key, entity: 'run_journal', run, batchId, asks: [...asks, ...gone], at: earlier?.at ?? at } }));
    return gone.length ? this.countOwn(await this.getAsks(gone), run.executionId, batchId) : {};
  }

  /** Counts of the asks this execution and batch decided, by their records (a claim still in flight: none). */
  private countOwn(asks: Ask[], executionId: string | undefined, batchId: string): Counts {
    const counts: Counts = {};
    for (const ask of asks) {
      if (ask.executionId !== executionId || (ask.batchId !== undefined && ask.batchId !== batchId)) continue;
      const key = countKeyOf(ask);
      if (key) counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  async closeBatch(run: Run, batchId: string): Promise<void> {
    if (!run.executionId) return;
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: runJournalKey(run.campaignId, run.executionId, batchId) }));
  }

  /**
   * Batches of a campaign whose process died: every journal written before `before` is counted from its asks (the
   * ones that execution and batch wrote; a claim still in flight is counted by the run that settles it) onto its
   * execution's record, once, then deleted. Returns how many batches were counted here.
   */
  async reconcile(campaignId: string, before: string): Promise<number> {
    const journals: Journal[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': runJournalPk(campaignId) }, ExclusiveStartKey: start, ConsistentRead: true }));
      for (const item of out.Items ?? []) if (String(item.at) < before) journals.push(item as unknown as Journal);
      start = out.LastEvaluatedKey;
    } while (start);
    let counted = 0;
    for (const journal of journals) {
      const counts = this.countOwn(await this.getAsks(journal.asks), journal.run.executionId, journal.batchId);
      if (await this.addCounts(journal.run, counts, journal.batchId, { reconciled: true })) counted += 1;
      await this.closeBatch(journal.run, journal.batchId);
    }
    return counted;
  }

  private async getAsks(keys: Array<{ customerId: string; occurrenceId: string }>): Promise<Ask[]> {
    const found: Ask[] = [];
    const unique = [...new Map(keys.map((k) => [`${k.customerId}|${k.occurrenceId}`, { PK: customerPk(k.customerId), SK: askSk(k.occurrenceId) }])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Array<Record<string, unknown>> = unique.slice(i, i + 100);
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${attempt} attempts`);
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
        found.push(...((out.Responses?.[this.tableName] ?? []) as Ask[]));
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return found;
  }

  /**
   * The run records of a campaign, newest run first (by the run's scheduled instant, executions of one run by start
   * time, newest first); `limit` records at most, taken after that sort. The key sorts by run date, then run id and
   * execution id (random), so the query reads whole run dates: past the `limit`-th record it reads on until two run
   * dates beyond that record's (a day-mode run date is a local date, up to a day off its UTC instant).
   */
  async list(campaignId: string, limit = 50): Promise<RunRecord[]> {
    const items: Array<Record<string, unknown>> = [];
    const runDateOf = (item: Record<string, unknown>): string => String(item.SK).split('#')[0] ?? '';
    let start: Record<string, unknown> | undefined;
    let stopBelow: string | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': runPk(campaignId) }, ScanIndexForward: false, Limit: 1000, ExclusiveStartKey: start }),
      );
      let done = false;
      for (const item of out.Items ?? []) {
        if (stopBelow !== undefined && runDateOf(item) < stopBelow) {
          done = true;
          break;
        }
        items.push(item);
        if (items.length === limit) stopBelow = dateDaysBefore(runDateOf(item), 2);
      }
      start = done ? undefined : out.LastEvaluatedKey;
    } while (start);
    const records = items.map((i) => {
      const added: Counts = {};
      let any = false;
      for (const [k, v] of Object.entries(i)) {
        if (!k.startsWith(COUNT_PREFIX)) continue;
        any = true;
        if (typeof v === 'number' && v > 0) added[k.slice(COUNT_PREFIX.length)] = v;
      }
      const status = i.status === 'completed' || (i.status === undefined && i.completedAt) ? 'completed' : 'running';
      return {
        run: i.run as Run,
        ...(i.executionId ? { executionId: String(i.executionId) } : {}),
        status,
        ...(i.startedAt ? { startedAt: String(i.startedAt) } : {}),
        ...(i.completedAt ? { completedAt: String(i.completedAt) } : {}),
        ...(typeof i.pages === 'number' ? { pages: i.pages } : {}),
        // Records from before per-batch counts carry only the final totals.
        totals: any || !i.totals ? added : (i.totals as Counts),
        ...(typeof i.reconciledBatches === 'number' ? { reconciledBatches: i.reconciledBatches } : {}),
      } satisfies RunRecord;
    });
    // Newest scheduled instant first; executions of one run by start.
    records.sort((a, b) => (b.run.at ?? '').localeCompare(a.run.at ?? '') || (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
    return records.slice(0, limit);
  }
}
