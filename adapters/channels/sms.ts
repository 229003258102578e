// SMS over AWS End User Messaging (pinpoint-sms-voice-v2 SendTextMessage): the origination identity per destination
// country, the copy fitted into at most N segments (never cutting the link), a quiet-hours safety net, and a local
// outbox (one JSON line per SMS) for the embedded runtime.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { ChannelSender, Clock, OutboundMessage, SendResult } from '../../core/ports.js';
import { PermanentSendError, ThrottlingError, TransientError } from '../../core/errors.js';
import { isValidE164 } from '../../core/channels.js';
import { fitAskSms, inQuietHours, smsFitOptionsOf, type FittedSms } from '../../core/sms.js';
import { SendDeferredError } from './errors.js';
import { createAwsClient, type AwsClientOptions } from '../aws-clients.js';
import { inZone, plusDays, withWall } from '../../core/zoned-time.js';

/** Origination identity (phone number, sender id, pool) per ISO country, plus `default`. */
export type OriginationIdentities = Record<string, string> & { default: string };

/** Calling code -> ISO country, for the identities map when the message does not say the country. */
const CALLING_CODES: Array<[string, string]> = [
  ['+1', 'US'], ['+44', 'GB'], ['+49', 'DE'], ['+33', 'FR'], ['+34', 'ES'], ['+39', 'IT'], ['+31', 'NL'], ['+32', 'BE'],
  ['+41', 'CH'], ['+43', 'AT'], ['+45', 'DK'], ['+46', 'SE'], ['+47', 'NO'], ['+48', 'PL'], ['+351', 'PT'], ['+353', 'IE'],
  ['+358', 'FI'], ['+61', 'AU'], ['+64', 'NZ'], ['+81', 'JP'], ['+91', 'IN'], ['+55', 'BR'], ['+52', 'MX'], ['+65', 'SG'],
];

/** The destination country from `data.country`, else from the calling code (longest prefix wins). */
export function countryOf(message: OutboundMessage): string | undefined {
  const given = message.data?.country;
  if (typeof given === 'string' && /^[A-Z]{2}$/.test(given)) return given;
  const phone = message.to.phone ?? '';
  const match = CALLING_CODES.filter(([code]) => phone.startsWith(code)).sort((a, b) => b[0].length - a[0].length)[0];
  return match?.[1];
}

export function originationFor(identities: OriginationIdentities, message: OutboundMessage): string {
  const country = countryOf(message);
  return (country && identities[country]) || identities.default;
}

export interface QuietHours {
  startHour: number;
  endHour: number;
}

export interface SmsPreparation {
  to: string;
  fitted: FittedSms;
}

export interface SmsBaseOptions {
  clock: Clock;
  /** Most segments one ask may cost (default 2). */
  maxSegments?: number;
  /** Local quiet hours of the recipient (default 21:00-08:00); the timezone comes from `message.data.timezone`. */
  quietHours?: QuietHours | false;
}

/**
 * The checks both SMS senders share. Quiet hours: eligibility defers such asks already; this is the safety net, and
 * its contract is SendDeferredError with `until` = the next local end of quiet hours (never a silent drop, never a
 * send at night). Without a timezone on the message the check cannot be made and is skipped.
 */
export function prepareSms(message: OutboundMessage, options: SmsBaseOptions): SmsPreparation {
  const to = message.to.phone;
  if (!to || !isValidE164(to)) throw new PermanentSendError(`sms: "to.phone" must be an E.164 number, got ${to ? 'an invalid one' : 'none'}`);
  const quiet = options.quietHours === false ? undefined : (options.quietHours ?? { startHour: 21, endHour: 8 });
  const zone = message.data?.timezone;
  if (quiet && typeof zone === 'string') {
    const local = inZone(options.clock.now(), zone);
    if (local && inQuietHours(local.hour, quiet.startHour, quiet.endHour)) {
      let until = withWall(local, { hour: quiet.endHour, minute: 0, second: 0, millisecond: 0 });
      if (until.ts <= local.ts) until = plusDays(until, 1);
      throw new SendDeferredError(`sms: quiet hours in ${zone} (${String(local.hour).padStart(2, '0')}:00 local)`, new Date(until.ts).toISOString());
    }
  }
  // The campaign's budget and what to keep travel with the message (core/sms.ts smsFitOptionsOf): the same fit as
  // `asks preview --channel sms`.
  const fit = smsFitOptionsOf(message.data, options.maxSegments);
  const fitted = fitAskSms(message.text, message.shareUrl, fit);
  if (!fitted.fits) throw new PermanentSendError(`sms: the link alone needs more than ${fit.maxSegments ?? 2} segments`);
  return { to, fitted };
}

export function classifySmsError(error: unknown): Error {
  const e = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode ?? 0;
  const text = `${name}: ${e.message ?? ''}`.trim();
  if (/Throttling|TooManyRequests|ServiceQuotaExceeded/.test(name) || status === 429) return new ThrottlingError(`SMS throttled: ${text}`, { cause: error });
  if (status >= 500 || /InternalServer|ServiceUnavailable|Timeout|ECONNRESET/.test(name)) return new TransientError(`SMS failed: ${text}`, { cause: error });
  if (/Validation|ResourceNotFound|AccessDenied|Conflict/.test(name) || (status >= 400 && status < 500)) {
    return new PermanentSendError(`SMS refused: ${text}`, { cause: error });
  }
  return new TransientError(`SMS failed: ${text}`, { cause: error });
}

export interface SmsSenderOptions extends SmsBaseOptions {
  client: PinpointSMSVoiceV2Client;
  originationIdentities: OriginationIdentities;
  configurationSetName?: string;
  /** Highest price per segment (USD, string as the API wants), a guard against premium routes. */
  maxPrice?: string;
}

export class SmsSender implements ChannelSender {
  constructor(private readonly options: SmsSenderOptions) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    const { to, fitted } = prepareSms(message, this.options);
    try {
      const out = await this.options.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: to,
          OriginationIdentity: originationFor(this.options.originationIdentities, message),
          MessageBody: fitted.text,
          MessageType: 'PROMOTIONAL',
          ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
          ...(this.options.maxPrice ? { MaxPrice: this.options.maxPrice } : {}),
          // Context comes back on delivery events: the ask it belongs to.
          Context: { askId: message.askId, campaignId: message.campaignId },
        }),
      );
      if (!out.MessageId) throw new TransientError('SMS: SendTextMessage returned no MessageId');
      return { messageId: out.MessageId };
    } catch (error) {
      if (error instanceof TransientError) throw error;
      throw classifySmsError(error);
    }
  }
}

/** The local stand-in: one JSON line per SMS in a file a person can read (`.local/outbox/sms.jsonl`). */
export class OutboxSmsSender implements ChannelSender {
  constructor(
    private readonly file: string,
    private readonly options: SmsBaseOptions & { originationIdentities?: OriginationIdentities },
  ) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    const { to, fitted } = prepareSms(message, this.options);
    const messageId = `local-sms-${message.idempotencyKey}`;
    const line = {
      at: this.options.clock.now().toISOString(),
      messageId,
      to,
      from: this.options.originationIdentities ? originationFor(this.options.originationIdentities, message) : 'local',
      text: fitted.text,
      encoding: fitted.encoding,
      segments: fitted.segments,
      askId: message.askId,
      campaignId: message.campaignId,
    };
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify(line)}\n`);
    return { messageId };
  }
}

export function createSmsClient(options: AwsClientOptions = {}): PinpointSMSVoiceV2Client {
  return createAwsClient('sms-voice', PinpointSMSVoiceV2Client, options);
}
