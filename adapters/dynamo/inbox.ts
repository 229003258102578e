// The in-app inbox (`C#<customerId>` / `INBOX#<askId>`): one item per in-app ask, read by the app through the signed
// /inapp/asks endpoint, and moved open -> seen -> dismissed by the customer's actions.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { customerPk, INBOX_PREFIX, inboxKey } from './keys.js';

export const INBOX_STATES = ['open', 'seen', 'dismissed'] as const;
export type InboxState = (typeof INBOX_STATES)[number];

export interface InboxItem {
  askId: string;
  customerId: string;
  campaignId: string;
  title: string;
  body: string;
  shareUrl: string;
  state: InboxState;
  createdAt: string;
  updatedAt: string;
}

const RANK: Record<InboxState, number> = { open: 0, seen: 1, dismissed: 2 };

export class InboxStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Write the item once per ask; a retried send finds it there and changes nothing. Returns whether it was new. */
  async put(item: Omit<InboxItem, 'state' | 'updatedAt'>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...inboxKey(item.customerId, item.askId), entity: 'inbox', ...item, state: 'open', stateRank: RANK.open, updatedAt: item.createdAt },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async get(customerId: string, askId: string): Promise<InboxItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: inboxKey(customerId, askId), ConsistentRead: true }));
    return out.Item ? strip(out.Item) : undefined;
  }

  /** Items of a customer, newest first; `states` filters (default: open and seen, i.e. not dismissed). */
  async list(customerId: string, states: InboxState[] = ['open', 'seen'], limit = 50): Promise<InboxItem[]> {
    const items: InboxItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
          ExpressionAttributeValues: { ':pk': customerPk(customerId), ':sk': INBOX_PREFIX },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const raw of out.Items ?? []) {
        const item = strip(raw);
        if (states.includes(item.state)) items.push(item);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)).slice(0, limit);
  }

  /**
   * Move an item forward (open -> seen -> dismissed); never backwards, so a late "seen" cannot reopen a dismissed ask.
   * Returns 'updated', 'unchanged' (already there or further) or 'missing'.
   */
  async setState(customerId: string, askId: string, state: InboxState, at: string): Promise<'updated' | 'unchanged' | 'missing'> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: inboxKey(customerId, askId),
          UpdateExpression: 'SET #s = :s, stateRank = :r, updatedAt = :at',
          ConditionExpression: 'attribute_exists(PK) AND stateRank < :r',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':s': state, ':r': RANK[state], ':at': at },
        }),
      );
      return 'updated';
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      return (await this.get(customerId, askId)) ? 'unchanged' : 'missing';
    }
  }
}

function strip(raw: Record<string, unknown>): InboxItem {
  const { askId, customerId, campaignId, title, body, shareUrl, state, createdAt, updatedAt } = raw as unknown as InboxItem;
  return { askId, customerId, campaignId, title, body, shareUrl, state, createdAt, updatedAt };
}
