// Inbound SMS (End User Messaging two-way, delivered through SNS): STOP and its synonyms suppress the number and turn
// the customer's SMS consent off; HELP gets a reply. The customer is found through the `P#<e164>` / `PHONE` pointer.
import * as z from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import { PreferenceStore } from '../../adapters/dynamo/preferences.js';
import { SuppressionStore } from '../../adapters/dynamo/suppressions.js';
import { systemClock } from '../../adapters/clock.js';
import type { Clock } from '../../core/ports.js';
import { classifySmsKeyword, type SmsKeyword } from '../../core/sms.js';
import { createAwsClient, inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

/** The two-way SMS message End User Messaging publishes to the SNS topic. */
export const InboundSms = z
  .object({
    originationNumber: z.string().min(1),
    destinationNumber: z.string().min(1),
    messageBody: z.string().default(''),
    inboundMessageId: z.string().optional(),
    messageKeyword: z.string().optional(),
  })
  .loose();
export type InboundSms = z.infer<typeof InboundSms>;

const SnsEvent = z.object({ Records: z.array(z.object({ Sns: z.object({ Message: z.string() }).loose() }).loose()) });

/** The inbound messages in an SNS event (or one bare message, as the local runtime hands it over). */
export function parseInboundSmsEvent(event: unknown): { messages: InboundSms[]; invalid: string[] } {
  const bodies: unknown[] = [];
  const invalid: string[] = [];
  const sns = SnsEvent.safeParse(event);
  if (sns.success) {
    for (const r of sns.data.Records) {
      try {
        bodies.push(JSON.parse(r.Sns.Message));
      } catch {
        invalid.push('Records[].Sns.Message: not JSON');
      }
    }
  } else bodies.push(event);
  const messages: InboundSms[] = [];
  for (const b of bodies) {
    const parsed = InboundSms.safeParse(b);
    if (parsed.success) messages.push(parsed.data);
    else invalid.push(`${parsed.error.issues[0]?.path.join('.') || 'message'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { messages, invalid };
}

export const DEFAULT_HELP_TEXT = 'Referral messages from us. Reply STOP to opt out. Msg&data rates may apply.';

export interface SmsInboundDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  /** Replies to HELP; without it HELP is only logged (the number's own keyword config may answer). */
  sms?: PinpointSMSVoiceV2Client;
  helpText?: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface InboundResult {
  from: string;
  keyword: SmsKeyword;
  customerId?: string;
  action: 'suppressed' | 'help_replied' | 'help_logged' | 'ignored';
}

export function makeSmsInboundHandler(deps: SmsInboundDeps): (event: unknown) => Promise<InboundResult[]> {
  const suppressions = new SuppressionStore(deps.doc, deps.tableName);
  const preferences = new PreferenceStore(deps.doc, deps.tableName);
  return inFunction(FUNCTION_ID.SmsInbound, async (event: unknown) => {
    const { messages, invalid } = parseInboundSmsEvent(event);
    for (const why of invalid) deps.logger?.warn('inbound sms ignored', { problem: why });
    const results: InboundResult[] = [];
    for (const m of messages) {
      const keyword = classifySmsKeyword(m.messageBody);
      const at = deps.clock.now().toISOString();
      if (keyword === 'stop') {
        await suppressions.suppress({ address: m.originationNumber, reason: 'sms_stop', at, ...(m.inboundMessageId ? { source: `sms:${m.inboundMessageId}` } : {}), detail: m.messageBody.slice(0, 40) });
        const customerId = await preferences.customerIdByPhone(m.originationNumber);
        if (customerId) await preferences.apply(customerId, { consents: { sms: false } }, at, 'sms_stop');
        results.push({ from: m.originationNumber, keyword, ...(customerId ? { customerId } : {}), action: 'suppressed' });
      } else if (keyword === 'help') {
        if (deps.sms) {
          await deps.sms.send(
            new SendTextMessageCommand({
              DestinationPhoneNumber: m.originationNumber,
              // Answer from the number they wrote to.
              OriginationIdentity: m.destinationNumber,
              MessageBody: deps.helpText ?? DEFAULT_HELP_TEXT,
              MessageType: 'TRANSACTIONAL',
            }),
          );
          results.push({ from: m.originationNumber, keyword, action: 'help_replied' });
        } else results.push({ from: m.originationNumber, keyword, action: 'help_logged' });
      } else {
        // START is left to the number's keyword settings; consent comes back only through the preferences page.
        results.push({ from: m.originationNumber, keyword, action: 'ignored' });
      }
      deps.logger?.info('inbound sms', { keyword, action: results.at(-1)?.action });
    }
    return results;
  });
}

const docs = new Map<string, DynamoDBDocumentClient>();
let smsClient: PinpointSMSVoiceV2Client | undefined;
const logger = new Logger({ serviceName: 'sms-inbound' });

/** Lambda entry: TABLE_NAME, DYNAMODB_ENDPOINT, SMS_HELP_TEXT, SMS_REPLY (set to "off" to never reply) at call time. */
export const handler = async (event: unknown): Promise<InboundResult[]> => {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set: the inbound SMS handler needs the table name');
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
  let doc = docs.get(endpoint);
  if (!doc) {
    doc = createDocumentClient(endpoint ? { endpoint } : {});
    docs.set(endpoint, doc);
  }
  const reply = process.env.SMS_REPLY !== 'off' && !endpoint;
  if (reply && !smsClient) smsClient = createAwsClient('sms-voice', PinpointSMSVoiceV2Client);
  return makeSmsInboundHandler({
    doc,
    tableName,
    clock: systemClock,
    ...(reply && smsClient ? { sms: smsClient } : {}),
    ...(process.env.SMS_HELP_TEXT ? { helpText: process.env.SMS_HELP_TEXT } : {}),
    logger,
  })(event);
};
