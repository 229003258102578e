// Run records: one per execution (`RUN#<campaignId>` / `<runDate>#<runId>#<executionId>`), so reruns, duplicate fires
// and killed executions each keep their own counts. LoadCampaign opens the record (status running), every finished
// batch ADDs its counts (top-level `n:<outcome>` numbers, so a killed execution still shows what it did), Summarize
// writes the final totals (status completed).
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Counts, Run, RunSummary } from '../../core/schemas/workflow.js';
import type { RunRecorder } from '../../core/workflow/ports.js';
import { runKey, runPk } from './keys.js';

export { runKey };

const COUNT_PREFIX = 'n:';

export interface RunRecord {
  run: Run;
  executionId?: string;
  status: 'running' | 'completed';
  startedAt?: string;
  completedAt?: string;
  pages?: number;
  /** Final totals when completed; the batch counts added so far otherwise. */
  totals: Counts;
}

export class DynamoRunStore implements RunRecorder {
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

  async addCounts(run: Run, counts: Counts): Promise<void> {
    const entries = Object.entries(counts).filter(([, n]) => n > 0);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    entries.forEach(([k, n], i) => {
      names[`#c${i}`] = `${COUNT_PREFIX}${k}`;
      values[`:c${i}`] = n;
    });
    await this.doc.send(
      new UpdateCommand({ TableName: this.tableName, Key: this.key(run), UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
    );
  }

  async record(summary: RunSummary): Promise<void> {
    const { run } = summary;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(run),
        UpdateExpression: 'SET entity = :e, #run = :run, totals = :t, pages = :p, completedAt = :c, #s = :done',
        ExpressionAttributeNames: { '#run': 'run', '#s': 'status' },
        ExpressionAttributeValues: { ':e': 'run', ':run': run, ':t': summary.totals, ':p': summary.pages, ':c': summary.completedAt, ':done': 'completed' },
      }),
    );
  }

  /** The run records of a campaign, newest run first (executions of one run by start time). */
  async list(campaignId: string, limit = 50): Promise<RunRecord[]> {
    const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': runPk(campaignId) }, ScanIndexForward: false, Limit: limit }));
    const records = (out.Items ?? []).map((i) => {
      const added: Counts = {};
      for (const [k, v] of Object.entries(i)) if (k.startsWith(COUNT_PREFIX) && typeof v === 'number') added[k.slice(COUNT_PREFIX.length)] = v;
      const status = i.status === 'completed' || (i.status === undefined && i.completedAt) ? 'completed' : 'running';
      return {
        run: i.run as Run,
        ...(i.executionId ? { executionId: String(i.executionId) } : {}),
        status,
        ...(i.startedAt ? { startedAt: String(i.startedAt) } : {}),
        ...(i.completedAt ? { completedAt: String(i.completedAt) } : {}),
        ...(typeof i.pages === 'number' ? { pages: i.pages } : {}),
        totals: status === 'completed' && i.totals ? (i.totals as Counts) : added,
      } satisfies RunRecord;
    });
    // Newest scheduled instant first; executions of one run by start.
    return records.sort((a, b) => (b.run.at ?? '').localeCompare(a.run.at ?? '') || (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  }
}
