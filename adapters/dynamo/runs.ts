// Run records (`RUN#<campaignId>` / `<runDate>#<runId>`): the totals of the latest execution of a run and how many
// executions the run had (reruns of a day share the deterministic run id).
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RunSummary } from '../../core/schemas/workflow.js';
import type { RunRecorder } from '../../core/workflow/ports.js';
import { runKey, runPk } from './keys.js';

export { runKey };

export class DynamoRunStore implements RunRecorder {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(summary: RunSummary): Promise<void> {
    const { run } = summary;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(run.campaignId, run.runDate, run.runId),
        UpdateExpression: 'SET entity = :e, #run = :run, totals = :t, pages = :p, completedAt = :c ADD executions :one',
        ExpressionAttributeNames: { '#run': 'run' },
        ExpressionAttributeValues: { ':e': 'run', ':run': run, ':t': summary.totals, ':p': summary.pages, ':c': summary.completedAt, ':one': 1 },
      }),
    );
  }

  /** The newest run records of a campaign (newest first). */
  async list(campaignId: string, limit = 20): Promise<Array<RunSummary & { executions: number }>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': runPk(campaignId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({ run: i.run, totals: i.totals, pages: i.pages, completedAt: i.completedAt, executions: i.executions }));
  }
}
