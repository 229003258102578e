// Partition progress of hour-mode runs (`PROG#<campaignId>` / `<hour>#<index>#<partition>`): opened when a run plans
// the partition, its cursor moved after every finished batch, closed when the partition is read to the end. Every
// hourly run lists the records still open over the last N hours and resumes them, so a crashed or killed batch's
// customers are read again without anybody re-firing the hour.
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Segment } from '../../core/schemas/workflow.js';
import type { ProgressStore } from '../../core/workflow/ports.js';
import { isConditionFailed } from './conditions.js';
import { progressPk, progressSk } from './keys.js';

export interface ProgressRecord {
  campaignId: string;
  progress: string;
  status: 'open' | 'done';
  index: string;
  partition: string;
  localDate: string;
  startKey?: Record<string, unknown>;
  openedAt: string;
  updatedAt: string;
}

export class DynamoProgressStore implements ProgressStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async open(campaignId: string, hour: string, segments: Segment[], at: string): Promise<Segment[]> {
    const out: Segment[] = [];
    for (const segment of segments) {
      const sk = progressSk(hour, segment.index, segment.partition);
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { PK: progressPk(campaignId), SK: sk, entity: 'progress', campaignId, progress: sk, status: 'open', index: segment.index, partition: segment.partition, localDate: segment.localDate, openedAt: at, updatedAt: at },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (error) {
        // Planned before (the same hour fired again): keep its status and cursor.
        if (!isConditionFailed(error)) throw error;
      }
      out.push({ ...segment, progress: sk });
    }
    return out;
  }

  async listOpen(campaignId: string, fromHour: string, toHour: string): Promise<Segment[]> {
    const segments: Segment[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          FilterExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          // `~` sorts after every character a partition key uses, so the whole last hour is included.
          ExpressionAttributeValues: { ':pk': progressPk(campaignId), ':from': `${fromHour}#`, ':to': `${toHour}#~`, ':open': 'open' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of (page.Items ?? []) as unknown as ProgressRecord[]) {
        segments.push({ index: item.index, partition: item.partition, localDate: item.localDate, progress: item.progress, ...(item.startKey ? { startKey: item.startKey } : {}) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return segments;
  }

  async advance(campaignId: string, progress: string, update: { done: true } | { startKey: Record<string, unknown> }, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: progressPk(campaignId), SK: progress },
        ...('done' in update
          ? { UpdateExpression: 'SET #s = :done, updatedAt = :at REMOVE startKey', ExpressionAttributeValues: { ':done': 'done', ':at': at } }
          : { UpdateExpression: 'SET startKey = :k, updatedAt = :at', ConditionExpression: '#s = :open', ExpressionAttributeValues: { ':k': update.startKey, ':at': at, ':open': 'open' } }),
        ExpressionAttributeNames: { '#s': 'status' },
      }),
    ).catch((error: unknown) => {
      // A later batch (or run) already closed it: nothing to move.
      if (!isConditionFailed(error)) throw error;
    });
  }

  /** Every record of a campaign (tests, `asks runs`). */
  async list(campaignId: string): Promise<ProgressRecord[]> {
    const items: ProgressRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': progressPk(campaignId) }, ExclusiveStartKey: startKey }));
      items.push(...((page.Items ?? []) as unknown as ProgressRecord[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
