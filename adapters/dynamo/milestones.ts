// Threshold milestones in the single table: counters moved atomically on the customer item, one marker per activity so a
// redelivered event counts once, one record per crossed threshold (`MS#<kind>#<threshold>`, written once) that sits in
// the sparse PendingMilestones index until a run has handled it.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { activityIdOf, campaignsFor, crossedThresholds, milestoneDueAt, type CounterSnapshot } from '../../core/thresholds.js';
import type { Campaign } from '../../core/schemas/campaign.js';
import { THRESHOLD_MILESTONE_KINDS } from '../../core/schemas/campaign.js';
import { UtcInstant } from '../../core/schemas/common.js';
import type { CustomerActivity } from '../../core/schemas/events.js';
import { customerPk, PROFILE_SK, type ReadStats } from './customers.js';
import { PENDING_INDEX } from './table-def.js';
import { isConditionFailed } from './conditions.js';
import { activitySk, milestoneSk } from './keys.js';

/** A threshold milestone record as stored (minus PK/SK). */
export const MilestoneRecord = z.object({
  customerId: z.string(),
  /** The record's sort key, `MS#<kind>#<threshold>` (markHandled takes it). */
  sk: z.string(),
  kind: z.enum(THRESHOLD_MILESTONE_KINDS),
  threshold: z.string(),
  occurrenceId: z.string(),
  occurredAt: UtcInstant,
  dueAt: z.iso.datetime(),
  /** The campaign whose rule wrote the record first (its askDelayHours set dueAt). */
  campaignId: z.string(),
  activityId: z.string(),
  /** Present while pending: the UTC day of dueAt (the sparse index key). */
  pendingDay: z.string().optional(),
  handledAt: z.string().optional(),
});
export type MilestoneRecord = z.infer<typeof MilestoneRecord>;

export { milestoneSk, activitySk };

export interface ApplyResult {
  /** applied: counted now; duplicate: already counted (milestones re-checked); unknown_customer: no profile, nothing counted. */
  status: 'applied' | 'duplicate' | 'unknown_customer';
  activityId: string;
  before?: CounterSnapshot;
  after?: CounterSnapshot;
  milestones: Array<{ sk: string; occurrenceId: string; campaignId: string; dueAt: string; written: boolean }>;
  /** Set when the order's currency differs from the customer's: the order counts, its spend does not. */
  warning?: string;
}

function snapshot(item: Record<string, unknown> | undefined): CounterSnapshot {
  const counters = (item?.counters ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return {
    orders: num(counters.orders),
    lifetimeSpendMinor: num(counters.lifetimeSpendMinor),
    projectsCompleted: num(counters.projectsCompleted),
    ...(typeof item?.tier === 'string' ? { tier: item.tier } : {}),
    ...(typeof item?.currency === 'string' ? { currency: item.currency } : {}),
    ...(typeof item?.signupDate === 'string' ? { signupDate: item.signupDate } : {}),
  };
}

export class MilestoneStore {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Count one activity and write every threshold milestone it crosses for the given campaigns.
   * Order: activity marker (conditional put) -> counter update (one atomic UpdateItem, ALL_OLD gives "before")
   * -> marker records before/after -> milestone records (conditional puts). A redelivered event finds the marker and
   * does not count again; if the marker already holds before/after, the milestone writes are repeated (they are
   * idempotent), which repairs a crash between counting and writing milestones.
   */
  async applyActivity(activity: CustomerActivity, campaigns: readonly Campaign[], now: string): Promise<ApplyResult> {
    const activityId = activityIdOf(activity);
    const pk = customerPk(activity.customerId);
    const markerKey = { PK: pk, SK: activitySk(activityId) };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...markerKey, entity: 'activity', activityId, type: activity.type, at: activity.at, receivedAt: now, status: 'received' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      this.readStats.gets += 1;
      const marker = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: markerKey, ConsistentRead: true }))).Item;
      if (marker) this.readStats.itemsRead += 1;
      if (marker?.before && marker?.after) {
        const before = marker.before as CounterSnapshot;
        const after = marker.after as CounterSnapshot;
        const milestones = await this.writeMilestones(activity, activityId, campaigns, before, after);
        return { status: 'duplicate', activityId, before, after, milestones };
      }
      return { status: 'duplicate', activityId, milestones: [] };
    }

    const counted = await this.count(activity);
    if (!counted) {
      // Let a redelivery after the customer is imported count it.
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: markerKey }));
      return { status: 'unknown_customer', activityId, milestones: [] };
    }
    const { before, after, warning } = counted;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: markerKey,
        UpdateExpression: 'SET #s = :s, #b = :b, #a = :a',
        ExpressionAttributeNames: { '#s': 'status', '#b': 'before', '#a': 'after' },
        ExpressionAttributeValues: { ':s': 'applied', ':b': before, ':a': after },
      }),
    );
    const milestones = await this.writeMilestones(activity, activityId, campaigns, before, after);
    return { status: 'applied', activityId, before, after, milestones, ...(warning ? { warning } : {}) };
  }

  /** The atomic counter update; undefined when the customer has no profile. */
  private async count(activity: CustomerActivity): Promise<{ before: CounterSnapshot; after: CounterSnapshot; warning?: string } | undefined> {
    const Key = { PK: customerPk(activity.customerId), SK: PROFILE_SK };
    // ADD only works on top-level attributes; SET x = if_not_exists(x, 0) + n on the nested counter is just as atomic.
    const inc = (name: string, value: string): string => `counters.${name} = if_not_exists(counters.${name}, :zero) + ${value}`;
    const attempt = async (update: string, condition: string, values: Record<string, unknown>): Promise<Record<string, unknown> | undefined> => {
      try {
        const out = await this.doc.send(
          new UpdateCommand({ TableName: this.tableName, Key, UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values, ReturnValues: 'ALL_OLD' }),
        );
        return out.Attributes ?? {};
      } catch (error) {
        if (isConditionFailed(error)) return undefined;
        throw error;
      }
    };
    switch (activity.type) {
      case 'order_completed': {
        const values = { ':zero': 0, ':one': 1, ':amt': activity.amountMinor, ':cur': activity.currency };
        const old = await attempt(`SET ${inc('orders', ':one')}, ${inc('lifetimeSpendMinor', ':amt')}`, 'attribute_exists(PK) AND currency = :cur', values);
        if (old) {
          const before = snapshot(old);
          return { before, after: { ...before, orders: before.orders + 1, lifetimeSpendMinor: before.lifetimeSpendMinor + activity.amountMinor } };
        }
        const oldOther = await attempt(`SET ${inc('orders', ':one')}`, 'attribute_exists(PK)', { ':zero': 0, ':one': 1 });
        if (!oldOther) return undefined;
        const before = snapshot(oldOther);
        return {
          before,
          after: { ...before, orders: before.orders + 1 },
          warning: `order ${activity.orderId} is in ${activity.currency} but the customer's currency is ${before.currency ?? 'unknown'}: spend not added`,
        };
      }
      case 'project_completed': {
        const old = await attempt(`SET ${inc('projectsCompleted', ':one')}`, 'attribute_exists(PK)', { ':zero': 0, ':one': 1 });
        if (!old) return undefined;
        const before = snapshot(old);
        return { before, after: { ...before, projectsCompleted: before.projectsCompleted + 1 } };
      }
      case 'tier_changed': {
        const old = await attempt('SET tier = :t', 'attribute_exists(PK)', { ':t': activity.tier });
        if (!old) return undefined;
        const before = snapshot(old);
        return { before, after: { ...before, tier: activity.tier } };
      }
    }
  }

  private async writeMilestones(
    activity: CustomerActivity,
    activityId: string,
    campaigns: readonly Campaign[],
    before: CounterSnapshot,
    after: CounterSnapshot,
  ): Promise<ApplyResult['milestones']> {
    const out: ApplyResult['milestones'] = [];
    const seen = new Set<string>();
    for (const campaign of campaignsFor(activity, campaigns)) {
      for (const crossed of crossedThresholds(campaign.milestone, before, after)) {
        const sk = milestoneSk(crossed.kind, crossed.threshold);
        if (seen.has(sk)) continue; // two campaigns on the same threshold share one occurrence
        seen.add(sk);
        const dueAt = milestoneDueAt(activity.at, campaign.milestone.askDelayHours);
        const record: MilestoneRecord = {
          customerId: activity.customerId,
          sk,
          kind: crossed.kind,
          threshold: crossed.threshold,
          occurrenceId: crossed.occurrenceId,
          occurredAt: activity.at,
          dueAt,
          campaignId: campaign.id,
          activityId,
          pendingDay: dueAt.slice(0, 10),
        };
        let written = true;
        try {
          await this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { PK: customerPk(activity.customerId), SK: sk, entity: 'milestone', ...record },
              ConditionExpression: 'attribute_not_exists(PK)',
            }),
          );
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          written = false;
        }
        out.push({ sk, occurrenceId: crossed.occurrenceId, campaignId: campaign.id, dueAt, written });
      }
    }
    return out;
  }

  async get(customerId: string, sk: string): Promise<MilestoneRecord | undefined> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(customerId), SK: sk } }));
    if (!out.Item) return undefined;
    this.readStats.itemsRead += 1;
    return MilestoneRecord.parse(out.Item);
  }

  /** One page of the milestones pending on a UTC day (the sparse index holds only unhandled records). */
  async queryPending(input: { day: string; startKey?: Record<string, unknown>; limit: number }): Promise<{ items: MilestoneRecord[]; lastKey?: Record<string, unknown> }> {
    this.readStats.queries += 1;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: PENDING_INDEX,
        KeyConditionExpression: 'pendingDay = :d',
        ExpressionAttributeValues: { ':d': input.day },
        Limit: input.limit,
        ExclusiveStartKey: input.startKey,
      }),
    );
    const items = (out.Items ?? []).map((item) => {
      this.readStats.itemsRead += 1;
      return MilestoneRecord.parse(item);
    });
    return { items, ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
  }

  /** Take a record out of the pending index (it stays as the history of the occurrence). */
  async markHandled(customerId: string, sk: string, handledAt?: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: customerPk(customerId), SK: sk },
        UpdateExpression: handledAt ? 'REMOVE pendingDay SET handledAt = :h' : 'REMOVE pendingDay',
        ConditionExpression: 'attribute_exists(PK)',
        ...(handledAt ? { ExpressionAttributeValues: { ':h': handledAt } } : {}),
      }),
    );
  }
}
