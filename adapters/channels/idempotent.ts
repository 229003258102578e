// Exactly-once sending per ask and channel: a send marker `C#<customerId>` / `SEND#<askId>#<channel>` is claimed by
// conditional put just before the channel is called (after any send-rate wait) and finished with the message id after.
// So a marker's absence proves the channel was never called for the ask (docs/architecture.md, "Delivery guarantees"). Also the suppression guard:
// a suppressed address is refused before anything is written or sent.
//
// The rule for a marker left in 'sending' (a worker crashed between the call and the record, or the call timed out):
// we cannot know whether the provider accepted the message, and a duplicate referral ask is worse than a missing one,
// so the marker is turned into 'unknown' and the send is refused with a PermanentSendError ("send outcome unknown"):
// the ask is recorded as failed with that reason and never resent automatically. A marker younger than the lease is a
// send in flight elsewhere: TransientError, so the caller retries later and then finds 'sent' (or 'unknown').
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChannelSender, Clock, OutboundMessage, SendResult } from '../../core/ports.js';
import { PermanentSendError, TransientError } from '../../core/errors.js';
import { normalizeAddress } from '../../core/suppression.js';
import { isSuppressed } from '../dynamo/suppressions.js';
import { isConditionFailed } from '../dynamo/conditions.js';
import { sendMarkerKey as sendMarkerKeyOf } from '../dynamo/keys.js';

/** A marker in 'sending' older than this belongs to a worker that is gone (longer than any send plus its retries). */
export const SEND_LEASE_MS = 10 * 60_000;

export type SendMarkerState = 'sending' | 'sent' | 'unknown';

export interface SendMarker {
  state: SendMarkerState;
  messageId?: string;
  leaseToken?: string;
  startedAt: string;
  sentAt?: string;
}

export const sendMarkerKey = (m: Pick<OutboundMessage, 'customerId' | 'askId' | 'channel'>): { PK: string; SK: string } => sendMarkerKeyOf(m);

type MarkerRef = Pick<OutboundMessage, 'customerId' | 'askId' | 'channel'>;

/**
 * Where the send marker of a message lives. The default keeps one item per ask and channel (`SEND#<askId>#<channel>`,
 * `SendMarkerItems`); the workflow keeps it on the ask item itself (adapters/dynamo/ask-send-markers.ts), which saves
 * a write per ask because the ask's completion records `sent` in the same update.
 */
export interface SendMarkerStore {
  /** Write the marker in state `sending` unless one exists (then false). May throw PermanentSendError when sending is no longer allowed. */
  begin(message: MarkerRef & Pick<OutboundMessage, 'idempotencyKey'>, leaseToken: string, startedAt: string): Promise<boolean>;
  /** The stored marker (strongly consistent), or undefined when there is none. */
  read(message: MarkerRef): Promise<SendMarker | undefined>;
  /** The provider accepted the message (only while `leaseToken` holds the marker). */
  sent(message: MarkerRef, leaseToken: string, messageId: string, at: string): Promise<void>;
  /** The outcome is unknown (only while `leaseToken` holds a `sending` marker): never resent. */
  unknown(message: MarkerRef, leaseToken: string, why: string, at: string): Promise<void>;
  /** The provider refused before sending: remove the marker so a later try may send (only while `leaseToken` holds it). */
  release(message: MarkerRef, leaseToken: string): Promise<void>;
}

/** Send markers as their own items, `C#<customerId>` / `SEND#<askId>#<channel>`. */
export class SendMarkerItems implements SendMarkerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async begin(message: MarkerRef & Pick<OutboundMessage, 'idempotencyKey'>, leaseToken: string, startedAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...sendMarkerKey(message), entity: 'send', state: 'sending', leaseToken, startedAt, askId: message.askId, channel: message.channel, idempotencyKey: message.idempotencyKey },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return false;
    }
  }

  async read(message: MarkerRef): Promise<SendMarker | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: sendMarkerKey(message), ConsistentRead: true }));
    return out.Item as SendMarker | undefined;
  }

  async sent(message: MarkerRef, leaseToken: string, messageId: string, at: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendMarkerKey(message),
          UpdateExpression: 'SET #s = :sent, messageId = :m, sentAt = :at REMOVE leaseToken',
          ConditionExpression: 'leaseToken = :t',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':sent': 'sent', ':m': messageId, ':at': at, ':t': leaseToken },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
  }

  async unknown(message: MarkerRef, leaseToken: string, why: string, at: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendMarkerKey(message),
          UpdateExpression: 'SET #s = :unknown, reason = :why, unknownAt = :at REMOVE leaseToken',
          ConditionExpression: '#s = :sending AND leaseToken = :t',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':unknown': 'unknown', ':sending': 'sending', ':t': leaseToken, ':why': why.slice(0, 300), ':at': at },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
  }

  async release(message: MarkerRef, leaseToken: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: sendMarkerKey(message), ConditionExpression: 'leaseToken = :t', ExpressionAttributeValues: { ':t': leaseToken } })).catch(() => undefined);
  }
}

/**
 * Whether a failed call may have reached the provider. Errors the provider answered (HTTP status present, or our
 * own refusals before the call) are definite; a transient error without a response (timeout, reset) is ambiguous.
 */
export function mayHaveBeenSent(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  if (name !== 'TransientError') return false;
  const cause = (error as { cause?: { $metadata?: { httpStatusCode?: number } } }).cause;
  return cause?.$metadata?.httpStatusCode === undefined;
}

/** The address a channel sends to, when that channel has a suppressible address. */
export function suppressibleAddress(message: OutboundMessage): string | undefined {
  if (message.channel === 'email') return message.to.email;
  if (message.channel === 'sms') return message.to.phone;
  return undefined;
}

export interface IdempotentSenderOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  leaseMs?: number;
  /**
   * Check `S#<address>` before sending (default true). The workflow turns it off: ProcessBatch reads the suppressions
   * of all its addresses in one BatchGet and never sends to a suppressed one.
   */
  checkSuppression?: boolean;
  /** Where the markers live (default: their own items, `SendMarkerItems`). */
  markers?: SendMarkerStore;
  /**
   * Awaited after the suppression check and before the marker is written (the send-rate slot): a worker killed while
   * it waits leaves no marker, so the next run knows the channel was never called and sends.
   */
  beforeMarker?: () => Promise<void>;
  newToken?: () => string;
}

export class IdempotentSender implements ChannelSender {
  private readonly leaseMs: number;
  private readonly newToken: () => string;
  private readonly markers: SendMarkerStore;

  constructor(
    private readonly inner: ChannelSender,
    private readonly options: IdempotentSenderOptions,
  ) {
    this.leaseMs = options.leaseMs ?? SEND_LEASE_MS;
    this.newToken = options.newToken ?? randomUUID;
    this.markers = options.markers ?? new SendMarkerItems(options.doc, options.tableName);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const { doc, tableName } = this.options;
    const address = suppressibleAddress(message);
    if (address && this.options.checkSuppression !== false) {
      const found = await isSuppressed(doc, tableName, [address]);
      if (found.has(normalizeAddress(address))) throw new PermanentSendError(`suppressed: ${message.channel} address is on the suppression list`);
    }

    await this.options.beforeMarker?.();
    const leaseToken = this.newToken();
    const startedAt = this.options.clock.now().toISOString();
    if (!(await this.markers.begin(message, leaseToken, startedAt))) return this.resolveExisting(message);

    let result: SendResult;
    try {
      result = await this.inner.send(message);
    } catch (error) {
      if (mayHaveBeenSent(error)) {
        await this.markers.unknown(message, leaseToken, (error as Error).message, this.options.clock.now().toISOString());
        throw Object.assign(new PermanentSendError(`send outcome unknown (${(error as Error).message}); not resent to avoid a duplicate`, { cause: error }), { outcomeUnknown: true });
      }
      // The provider refused before sending: give the marker back so a later try may send.
      await this.markers.release(message, leaseToken).catch(() => undefined);
      throw error;
    }
    await this.markSent(message, leaseToken, result.messageId);
    return result;
  }

  private async resolveExisting(message: OutboundMessage): Promise<SendResult> {
    const marker = await this.markers.read(message);
    // Deleted between our put and get (a refused send released it): let the caller retry.
    if (!marker) throw new TransientError('send marker changed while checking it; retry');
    if (marker.state === 'sent' && marker.messageId) return { messageId: marker.messageId };
    if (marker.state === 'unknown') throw Object.assign(new PermanentSendError('an earlier send of this ask ended with an unknown outcome; not resent'), { outcomeUnknown: true });
    const age = this.options.clock.now().getTime() - Date.parse(marker.startedAt);
    if (age < this.leaseMs) throw new TransientError('this ask is being sent by another worker right now');
    await this.markers.unknown(message, marker.leaseToken ?? '', 'lease expired: the sending worker vanished', this.options.clock.now().toISOString());
    throw Object.assign(new PermanentSendError('an earlier send of this ask was interrupted; outcome unknown, not resent'), { outcomeUnknown: true });
  }

  private async markSent(message: OutboundMessage, leaseToken: string, messageId: string): Promise<void> {
    // The message is out: failing to record it must not turn into an error that makes somebody send it again.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.markers.sent(message, leaseToken, messageId, this.options.clock.now().toISOString());
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  /** The stored marker (tests, support tools). */
  async marker(message: Pick<OutboundMessage, 'customerId' | 'askId' | 'channel'>): Promise<SendMarker | undefined> {
    return this.markers.read(message);
  }
}
