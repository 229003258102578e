// Retention in the local runtime: dynalite has no TTL, so this sweep does what DynamoDB's TTL on `expiresAt` does in
// the cloud (infra/stateful-stack.ts), and also removes clicks (with their visitor ids) and leads older than the
// retention period that were written before they carried `expiresAt`. A Scan, so local and operator use only: no
// Lambda runs it and none is granted dynamodb:Scan.
import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface SweepResult {
  /** Items deleted, by entity. */
  deleted: Record<string, number>;
  scanned: number;
}

/**
 * Delete every item whose `expiresAt` (epoch seconds) is in the past, and every click or lead whose `at` is older
 * than `retentionDays` before `now`.
 */
export async function sweepExpired(doc: DynamoDBDocumentClient, tableName: string, now: Date, retentionDays: number): Promise<SweepResult> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const result: SweepResult = { deleted: {}, scanned: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'expiresAt < :now OR ((entity = :click OR entity = :lead) AND #at < :cutoff)',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':now': nowSeconds, ':click': 'click', ':lead': 'lead', ':cutoff': cutoff },
        ProjectionExpression: 'PK, SK, entity',
        ExclusiveStartKey: start,
      }),
    );
    result.scanned += page.ScannedCount ?? 0;
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let requests = items.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
    for (const item of items) {
      const entity = String(item.entity ?? 'item');
      result.deleted[entity] = (result.deleted[entity] ?? 0) + 1;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return result;
}
