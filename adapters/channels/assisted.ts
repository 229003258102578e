// Account-manager asks: no automated message to the customer; a `referral.ask.assisted.v1` event (a CRM task) with the
// prewritten share message and link, so a person asks in their own words.
import type { ChannelSender, Clock, EventPublisher, OutboundMessage, SendResult } from '../../core/ports.js';
import { PermanentSendError } from '../../core/errors.js';
import { projectEvent } from '../../core/schemas/events.js';
import { subjectOf } from './inapp.js';

export class AssistedSender implements ChannelSender {
  constructor(private readonly options: { publisher: EventPublisher; clock: Clock }) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    const data = message.data ?? {};
    const am = data.accountManager as { name?: unknown; email?: unknown } | undefined;
    const accountManager =
      am && typeof am.name === 'string' && typeof am.email === 'string'
        ? { name: am.name, email: am.email }
        : message.to.email && message.to.name
          ? { name: message.to.name, email: message.to.email }
          : undefined;
    if (!accountManager) throw new PermanentSendError('account_manager: the customer has no account manager (data.accountManager or to.email + to.name)');
    const shareMessage = typeof data.shareMessage === 'string' && data.shareMessage !== '' ? data.shareMessage : message.text;
    await this.options.publisher.publish([
      projectEvent('referral.ask.assisted', {
        occurredAt: this.options.clock.now().toISOString(),
        askId: message.askId,
        campaignId: message.campaignId,
        customerId: message.customerId,
        ...subjectOf(message),
        accountManager,
        shareMessage,
        shareUrl: message.shareUrl,
        ...(message.subject ? { subject: message.subject } : {}),
        ...(typeof data.statusUrl === 'string' ? { statusUrl: data.statusUrl } : {}),
      }),
    ]);
    return { messageId: `assisted:${message.askId}` };
  }
}
