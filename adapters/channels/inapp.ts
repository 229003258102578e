// In-app asks: an inbox item the app reads through the signed /inapp/asks endpoint, plus a
// `referral.ask.inapp.v1` event (ids only) so an app that listens on the bus can fetch and show it at once.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChannelSender, Clock, EventPublisher, OutboundMessage, SendResult } from '../../core/ports.js';
import { projectEvent } from '../../core/schemas/events.js';
import { InboxStore } from '../dynamo/inbox.js';

export interface InAppSenderOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  clock: Clock;
}

/** The subject id the workflow knows from the profile (`data.subjectId`): the publisher then needs no lookup. */
export function subjectOf(message: OutboundMessage): { subjectId?: string } {
  const subjectId = message.data?.subjectId;
  return typeof subjectId === 'string' && subjectId !== '' ? { subjectId } : {};
}

export class InAppSender implements ChannelSender {
  private readonly inbox: InboxStore;

  constructor(private readonly options: InAppSenderOptions) {
    this.inbox = new InboxStore(options.doc, options.tableName);
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const at = this.options.clock.now().toISOString();
    const title = message.subject ?? '';
    // Written once per ask; a retry finds the item and publishes the event again (consumers dedupe on askId).
    await this.inbox.put({ askId: message.askId, customerId: message.customerId, campaignId: message.campaignId, title, body: message.text, shareUrl: message.shareUrl, createdAt: at });
    // No title, body or link here: they name the person. The app reads them from /inapp/asks (docs/privacy.md).
    await this.options.publisher.publish([projectEvent('referral.ask.inapp', { occurredAt: at, askId: message.askId, campaignId: message.campaignId, customerId: message.customerId, ...subjectOf(message) })]);
    return { messageId: `inapp:${message.askId}` };
  }
}
