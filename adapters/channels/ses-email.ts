// Email over SES v2: HTML and text parts, RFC 8058 one-click unsubscribe headers, tags the SES event handler reads
// back (ask id, campaign), and SDK errors mapped to the named errors the workflow retries (throttling, transient)
// or records (permanent).
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { ChannelSender, OutboundMessage, SendResult } from '../../core/ports.js';
import { createAwsClient, type AwsClientOptions } from '../aws-clients.js';
import { PermanentSendError, ThrottlingError, TransientError } from '../../core/errors.js';
import { defaultUnsubscribeMailbox, EMAIL_TAGS, formatMailbox, encodeTagValue, parseMailbox, tokenFromUnsubscribeUrl, unsubscribeHeaders } from '../../core/email-headers.js';

export interface SesEmailSenderOptions {
  client: SESv2Client;
  /**
   * The verified sender address (SES_FROM_ADDRESS), e.g. "asks@news.acme.com"; it wins over the message's own
   * `from.address` (the program file's) so each deployment sends from its verified identity. One of the two is needed.
   */
  from?: string;
  /** Configuration set whose event destination (EventBridge) feeds functions/channels/ses-events.ts. */
  configurationSet?: string;
  /** mailto address for List-Unsubscribe (beside the https URL); default unsubscribe@<from domain>. */
  unsubscribeMailbox?: string;
}

/** An SES v2 client; with `endpoint` (the local server, e.g. http://127.0.0.1:8705) it signs with dummy credentials. */
export function createSesClient(options: AwsClientOptions = {}): SESv2Client {
  return createAwsClient('ses', SESv2Client, options);
}

const THROTTLING = /TooManyRequests|Throttl|LimitExceeded|SlowDown/;
const PERMANENT = /MessageRejected|MailFromDomainNotVerified|BadRequest|AccountSuspended|NotFound|SendingPaused|InvalidParameter|Validation/;
const TRANSIENT_NETWORK = /Timeout|TimedOut|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|NetworkingError|InternalFailure|ServiceUnavailable/;

/** SDK error -> ThrottlingError (retry with backoff), TransientError (retry), PermanentSendError (record, never retry). */
export function classifySesError(error: unknown): Error {
  const e = (error ?? {}) as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const name = e.name ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode ?? 0;
  const text = `${name}: ${e.message ?? ''}`.trim();
  if (THROTTLING.test(name) || status === 429) return new ThrottlingError(`SES throttled: ${text}`, { cause: error });
  if (status >= 500 || TRANSIENT_NETWORK.test(name) || TRANSIENT_NETWORK.test(e.code ?? '') || TRANSIENT_NETWORK.test(e.message ?? '')) {
    return new TransientError(`SES failed: ${text}`, { cause: error });
  }
  if (PERMANENT.test(name) || (status >= 400 && status < 500)) return new PermanentSendError(`SES refused the message: ${text}`, { cause: error });
  // Unknown errors without a status are treated as transient: a bounded retry is cheaper than a lost ask.
  return new TransientError(`SES failed: ${text}`, { cause: error });
}

export class SesEmailSender implements ChannelSender {
  constructor(private readonly options: SesEmailSenderOptions) {}

  /** The SendEmail input for a message (exposed so tests can assert on it without a client). */
  buildInput(message: OutboundMessage): ConstructorParameters<typeof SendEmailCommand>[0] {
    if (!message.to.email) throw new PermanentSendError('email: the message has no "to.email" address');
    const configured = this.options.from ? parseMailbox(this.options.from) : undefined;
    const fromAddress = configured?.address ?? message.from?.address;
    const fromName = message.from?.name ?? configured?.name;
    if (!fromAddress) throw new PermanentSendError('email: no sender address (program file sender.address or SES_FROM_ADDRESS)');
    const headers: Record<string, string> = { ...(message.headers ?? {}) };
    if (message.unsubscribeUrl) {
      Object.assign(
        headers,
        unsubscribeHeaders({
          url: message.unsubscribeUrl,
          mailbox: this.options.unsubscribeMailbox ?? defaultUnsubscribeMailbox(fromAddress),
          token: tokenFromUnsubscribeUrl(message.unsubscribeUrl),
        }),
      );
    }
    return {
      // Display names RFC 2047-encoded when not ASCII: SES rejects raw non-ASCII names.
      FromEmailAddress: formatMailbox(fromAddress, fromName),
      Destination: { ToAddresses: [formatMailbox(message.to.email, message.to.name)] },
      ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
      ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      EmailTags: [
        { Name: EMAIL_TAGS.askId, Value: encodeTagValue(message.askId) },
        { Name: EMAIL_TAGS.campaignId, Value: encodeTagValue(message.campaignId) },
        { Name: EMAIL_TAGS.customerId, Value: encodeTagValue(message.customerId) },
      ],
      Content: {
        Simple: {
          Subject: { Data: message.subject ?? '', Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            ...(message.html ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}),
          },
          Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
        },
      },
    };
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const input = this.buildInput(message);
    try {
      const out = await this.options.client.send(new SendEmailCommand(input));
      if (!out.MessageId) throw new TransientError('SES returned no MessageId');
      return { messageId: out.MessageId };
    } catch (error) {
      if (error instanceof TransientError) throw error;
      throw classifySesError(error);
    }
  }
}
