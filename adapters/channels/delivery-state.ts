// The delivery state of an ask (`C#<customerId>` / `ASK#<occurrenceId>`), moved forward by provider events that may
// arrive late and out of order: sent < delivered < opened < clicked, with bounced/complained/rejected terminal.
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { askKey } from '../dynamo/keys.js';

export const DELIVERY_RANK = {
  sent: 0,
  delayed: 1,
  soft_bounced: 1,
  delivered: 2,
  opened: 3,
  clicked: 4,
  rejected: 8,
  rendering_failed: 8,
  bounced: 9,
  complained: 9,
} as const;
export type DeliveryState = keyof typeof DELIVERY_RANK;
/** From this rank on a state is terminal: nothing overwrites it. */
export const TERMINAL_RANK = 8;

/** The ask status a delivery state implies (AskStatus), where it implies one. */
const STATUS_FOR: Partial<Record<DeliveryState, 'delivered' | 'bounced' | 'complained'>> = {
  delivered: 'delivered',
  opened: 'delivered',
  clicked: 'delivered',
  bounced: 'bounced',
  complained: 'complained',
};

/** `<customerId>~<occurrenceId>` (customer ids never contain "~"). */
export function splitAskId(askId: string): { customerId: string; occurrenceId: string } | undefined {
  const at = askId.indexOf('~');
  if (at <= 0 || at === askId.length - 1) return undefined;
  return { customerId: askId.slice(0, at), occurrenceId: askId.slice(at + 1) };
}

export type DeliveryUpdateResult = 'updated' | 'stale' | 'unknown_ask';

/**
 * Move the ask's `deliveryState` forward to `state` unless it already is at or past it, or terminal. The ask `status`
 * follows (sent -> delivered -> bounced/complained) only from `sent`/`delivered`, so an ask still being recorded by
 * the workflow (claimed) is never touched.
 */
export async function updateDeliveryState(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: { askId: string; state: DeliveryState; at: string; messageId?: string },
): Promise<DeliveryUpdateResult> {
  const ids = splitAskId(input.askId);
  if (!ids) return 'unknown_ask';
  const key = askKey(ids.customerId, ids.occurrenceId);
  const rank = DELIVERY_RANK[input.state];
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET deliveryState = :s, deliveryRank = :r, deliveryUpdatedAt = :at, #stAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(deliveryRank) OR (deliveryRank < :r AND deliveryRank < :terminal))',
        ExpressionAttributeNames: { '#stAt': `${input.state}At` },
        ExpressionAttributeValues: { ':s': input.state, ':r': rank, ':at': input.at, ':terminal': TERMINAL_RANK },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    return 'stale';
  }
  const status = STATUS_FOR[input.state];
  if (status) {
    await doc
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET #s = :status',
          ConditionExpression: '#s IN (:sent, :delivered)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':status': status, ':sent': 'sent', ':delivered': 'delivered' },
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      });
  }
  return 'updated';
}
