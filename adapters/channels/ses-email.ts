// Email over SES v2: HTML and text parts, RFC 8058 one-click unsubscribe headers, tags for the event handler, and
// SDK errors mapped to the named errors the workflow retries (throttling, transient) or records (permanent).
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { ChannelSender, OutboundMessage, SendResult } from '../../core/ports.js';
import { PermanentSendError, ThrottlingError, TransientError } from '../../core/errors.js';

export interface SesEmailSenderOptions {
  client: SESv2Client;
  from: string;
  configurationSet?: string;
  /** mailto address for List-Unsubscribe (beside the https URL). */
  unsubscribeMailbox?: string;
}

export function createSesClient(options: { endpoint?: string; region?: string } = {}): SESv2Client {
  return new SESv2Client({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

/** List-Unsubscribe with an https URL and a mailto, plus List-Unsubscribe-Post for one-click (RFC 8058). */
export function unsubscribeHeaders(url: string, mailbox: string, token: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${url}>, <mailto:${mailbox}?subject=unsubscribe-${encodeURIComponent(token)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

export function classifySesError(error: unknown): Error {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (/TooManyRequests|Throttl|LimitExceeded/.test(name) || status === 429) return new ThrottlingError(`SES throttled: ${name}`, { cause: error });
  if (/MessageRejected|MailFromDomainNotVerified|BadRequest|AccountSuspended|NotFound|SendingPaused/.test(name) || (status >= 400 && status < 500)) {
    return new PermanentSendError(`SES refused the message: ${name}: ${e.message ?? ''}`.trim(), { cause: error });
  }
  return new TransientError(`SES failed: ${name}`, { cause: error });
}

export class SesEmailSender implements ChannelSender {
  constructor(private readonly options: SesEmailSenderOptions) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    if (!message.to.email) throw new PermanentSendError('no email address');
    const headers: Record<string, string> = { ...(message.headers ?? {}) };
    if (message.unsubscribeUrl) {
      const token = message.unsubscribeUrl.split('/').pop() ?? '';
      Object.assign(headers, unsubscribeHeaders(message.unsubscribeUrl, this.options.unsubscribeMailbox ?? `unsubscribe@${/@([^>\s]+)/.exec(this.options.from)?.[1] ?? 'example.com'}`, token));
    }
    try {
      const out = await this.options.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          Destination: { ToAddresses: [message.to.name ? `${JSON.stringify(message.to.name)} <${message.to.email}>` : message.to.email] },
          ConfigurationSetName: this.options.configurationSet,
          EmailTags: [
            { Name: 'askId', Value: message.askId.replace(/[^A-Za-z0-9_-]/g, '_') },
            { Name: 'campaignId', Value: message.campaignId },
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
        }),
      );
      return { messageId: out.MessageId ?? message.idempotencyKey };
    } catch (error) {
      throw classifySesError(error);
    }
  }
}
