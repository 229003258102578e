// Partition progress of hour-mode runs (`PROG#<campaignId>` / `<hour>#<index>#<partition>`): opened when a run plans
// the partition, its cursor moved after every finished batch, closed when the partition is read to the end. Every
// hourly run lists the records still open over the last N hours and resumes them, so a crashed or killed batch's
// customers are read again without anybody re-firing the hour. A marker (`<hour>#@fired`) says a run planned the hour,
// so a later run can tell an hour nobody planned (a missed or skipped fire) from an hour with nothing to read.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Segment } from '../../core/schemas/workflow.js';
import type { ProgressStore } from '../../core/workflow/ports.js';
import { isConditionFailed } from './conditions.js';
import { dueAsksCursorKey, progressFiredSk, progressPk, progressSk } from './keys.js';

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

interface FiredMarker {
  status: 'fired';
  hour: string;
}

export class DynamoProgressStore implements ProgressStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async open(campaignId: string, hour: string, segments: Segment[], at: string): Promise<Segment[]> {
    const out: Segment[] = [];
    const put = async (item: Record<string, unknown>): Promise<void> => {
      try {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: progressPk(campaignId), campaignId, openedAt: at, updatedAt: at, ...item }, ConditionExpression: 'attribute_not_exists(PK)' }));
      } catch (error) {
        // Planned before (the same hour fired again): keep its status and cursor.
        if (!isConditionFailed(error)) throw error;
      }
    };
    for (const segment of segments) {
      const sk = progressSk(hour, segment.index, segment.partition);
      await put({ SK: sk, entity: 'progress', progress: sk, status: 'open', index: segment.index, partition: segment.partition, localDate: segment.localDate });
      out.push({ ...segment, progress: sk });
    }
    // The marker last: an hour is planned only once all its partitions are on record.
    await put({ SK: progressFiredSk(hour), entity: 'progress-fired', hour, status: 'fired' });
    return out;
  }

  async window(campaignId: string, fromHour: string, toHour: string): Promise<{ open: Segment[]; plannedHours: string[] }> {
    const open: Segment[] = [];
    const plannedHours: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          FilterExpression: '#s IN (:open, :fired)',
          ExpressionAttributeNames: { '#s': 'status' },
          // `~` sorts after every character a partition key uses, so the whole last hour is included.
          ExpressionAttributeValues: { ':pk': progressPk(campaignId), ':from': `${fromHour}#`, ':to': `${toHour}#~`, ':open': 'open', ':fired': 'fired' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of (page.Items ?? []) as Array<ProgressRecord | FiredMarker>) {
        if (item.status === 'fired') plannedHours.push(item.hour);
        else open.push({ index: item.index, partition: item.partition, localDate: item.localDate, progress: item.progress, ...(item.startKey ? { startKey: item.startKey } : {}) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { open, plannedHours };
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

  /** The due-asks cursor (`DUECUR#<campaignId>` / `CURSOR`): the oldest hour bucket that may still hold work. */
  async dueAsksFrom(campaignId: string): Promise<string | undefined> {
    const item = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: dueAsksCursorKey(campaignId), ConsistentRead: true }))).Item;
    return typeof item?.fromHour === 'string' ? item.fromHour : undefined;
  }

  /** Moves the cursor up to `hour` (a conditional update: never back, so a slower older run cannot undo a newer one). */
  async dueAsksReadThrough(campaignId: string, hour: string, at: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: dueAsksCursorKey(campaignId),
          UpdateExpression: 'SET fromHour = :h, updatedAt = :at, entity = :e',
          ConditionExpression: 'attribute_not_exists(fromHour) OR fromHour < :h',
          ExpressionAttributeValues: { ':h': hour, ':at': at, ':e': 'due-asks-cursor' },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
  }

  /** Every partition record of a campaign (tests, `asks runs`); the planned-hour markers are left out. */
  async list(campaignId: string): Promise<ProgressRecord[]> {
    const items: ProgressRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': progressPk(campaignId) }, ExclusiveStartKey: startKey }));
      items.push(...((page.Items ?? []) as Array<ProgressRecord | FiredMarker>).filter((i): i is ProgressRecord => i.status !== 'fired'));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
