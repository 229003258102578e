// The workflow's send markers, kept on the ask item (`C#<customerId>` / `ASK#<occurrenceId>`) rather than in items
// of their own: `sendState` = sending is set by one conditional update just before the channel call (after the
// send-rate wait) and only while the ask is claimed; the ask's completion (`DynamoAskStore.complete` with status
// sent) records `sent` in the same update as the status, so a sent ask costs one write less. A claimed ask without
// `sendState` provably never reached the channel (docs/architecture.md, "Delivery guarantees per channel").
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboundMessage } from '../../core/ports.js';
import { PermanentSendError } from '../../core/errors.js';
import type { SendMarker, SendMarkerStore } from '../channels/idempotent.js';
import { isConditionFailed } from './conditions.js';
import { askKey } from './keys.js';

type MarkerRef = Pick<OutboundMessage, 'customerId' | 'askId' | 'channel'>;

/** The ask's key from a message: `askId` = `<customerId>~<occurrenceId>`. Throws RangeError for another shape. */
function keyOf(message: MarkerRef): { PK: string; SK: string } {
  const prefix = `${message.customerId}~`;
  if (!message.askId.startsWith(prefix)) throw new RangeError(`askId ${message.askId} does not belong to customer ${message.customerId}`);
  return askKey(message.customerId, message.askId.slice(prefix.length));
}

export class AskSendMarkers implements SendMarkerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** `sending`, if the ask is claimed and has no marker; throws PermanentSendError when the ask is not claimed (any more). */
  async begin(message: MarkerRef, leaseToken: string, startedAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(message),
          UpdateExpression: 'SET sendState = :sending, sendLease = :t, sendStartedAt = :at',
          ConditionExpression: '#s = :claimed AND attribute_not_exists(sendState)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':t': leaseToken, ':at': startedAt, ':claimed': 'claimed' },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const marker = await this.read(message);
      if (marker) return false;
      throw new PermanentSendError(`ask ${message.askId} is not claimed: not sent`);
    }
  }

  async read(message: MarkerRef): Promise<SendMarker | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keyOf(message), ConsistentRead: true }));
    const item = out.Item;
    if (!item?.sendState) return undefined;
    return {
      state: item.sendState as SendMarker['state'],
      startedAt: String(item.sendStartedAt ?? item.updatedAt),
      ...(item.messageId ? { messageId: String(item.messageId) } : {}),
      ...(item.sendLease ? { leaseToken: String(item.sendLease) } : {}),
    };
  }

  /** Nothing to write: the ask's completion records `sent` and the message id with its status, in one update. */
  async sent(): Promise<void> {}

  async unknown(message: MarkerRef, leaseToken: string, why: string, at: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(message),
          UpdateExpression: 'SET sendState = :unknown, sendReason = :why, sendUnknownAt = :at REMOVE sendLease',
          ConditionExpression: 'sendState = :sending AND sendLease = :t',
          ExpressionAttributeValues: { ':unknown': 'unknown', ':sending': 'sending', ':t': leaseToken, ':why': why.slice(0, 300), ':at': at },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
  }

  async release(message: MarkerRef, leaseToken: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(message),
          UpdateExpression: 'REMOVE sendState, sendLease, sendStartedAt',
          ConditionExpression: 'sendLease = :t',
          ExpressionAttributeValues: { ':t': leaseToken },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
  }
}
