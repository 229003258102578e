// SES configuration-set events from EventBridge: hard bounces and complaints suppress the address for good, and
// every event moves the ask's delivery state forward (tags carry the ask id).
import * as z from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import { SuppressionStore } from '../../adapters/dynamo/suppressions.js';
import { ConsentLedger } from '../../adapters/dynamo/consents.js';
import { updateDeliveryState, type DeliveryState, type DeliveryUpdateResult } from '../../adapters/channels/delivery-state.js';
import { decodeTagValue, EMAIL_TAGS } from '../../core/email-headers.js';
import type { SuppressionReason } from '../../core/suppression.js';
import type { EventPublisher } from '../../core/ports.js';
import { projectEvent } from '../../core/schemas/events.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';

/** Delivery states that become `referral.delivery.recorded` (the report's delivery funnel and the bounce/complaint rates). */
const REPORTED = new Set(['delivered', 'bounced', 'complained', 'opened'] as const);
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

const Recipient = z.object({ emailAddress: z.string() }).loose();

/** The parts of an SES event (configuration set -> EventBridge) we read; everything else passes through. */
export const SesEventDetail = z
  .object({
    eventType: z.string(),
    mail: z
      .object({
        messageId: z.string(),
        timestamp: z.string().optional(),
        destination: z.array(z.string()).default([]),
        tags: z.record(z.string(), z.array(z.string())).default({}),
      })
      .loose(),
    bounce: z.object({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: z.array(Recipient).default([]), feedbackId: z.string().optional(), timestamp: z.string().optional() }).loose().optional(),
    complaint: z.object({ complainedRecipients: z.array(Recipient).default([]), feedbackId: z.string().optional(), complaintFeedbackType: z.string().optional(), timestamp: z.string().optional() }).loose().optional(),
    delivery: z.object({ timestamp: z.string().optional() }).loose().optional(),
    open: z.object({ timestamp: z.string().optional() }).loose().optional(),
    click: z.object({ timestamp: z.string().optional(), link: z.string().optional() }).loose().optional(),
    reject: z.object({ reason: z.string().optional() }).loose().optional(),
  })
  .loose();
export type SesEventDetail = z.infer<typeof SesEventDetail>;

export const SesEventBridgeEvent = z
  .object({
    id: z.string().optional(),
    'detail-type': z.string(),
    source: z.string().optional(),
    time: z.string().optional(),
    detail: SesEventDetail,
  })
  .loose();
export type SesEventBridgeEvent = z.infer<typeof SesEventBridgeEvent>;

export interface SesEventMeaning {
  state?: DeliveryState;
  askId?: string;
  messageId: string;
  at: string;
  suppress: Array<{ address: string; reason: SuppressionReason; detail: string }>;
}

/** What an SES event means for us: the delivery state it reports and the addresses to suppress. Pure. */
export function interpretSesEvent(event: SesEventBridgeEvent): SesEventMeaning {
  const d = event.detail;
  const type = d.eventType.toLowerCase().replace(/[\s_]/g, '');
  const encodedAsk = d.mail.tags[EMAIL_TAGS.askId]?.[0];
  const askId = encodedAsk ? decodeTagValue(encodedAsk) : undefined;
  const at = d.bounce?.timestamp ?? d.complaint?.timestamp ?? d.delivery?.timestamp ?? d.open?.timestamp ?? d.click?.timestamp ?? event.time ?? d.mail.timestamp ?? '';
  const base = { messageId: d.mail.messageId, at, ...(askId ? { askId } : {}) };
  switch (type) {
    case 'send':
      return { ...base, state: 'sent', suppress: [] };
    case 'delivery':
      return { ...base, state: 'delivered', suppress: [] };
    case 'open':
      return { ...base, state: 'opened', suppress: [] };
    case 'click':
      return { ...base, state: 'clicked', suppress: [] };
    case 'deliverydelay':
      return { ...base, state: 'delayed', suppress: [] };
    case 'reject':
      return { ...base, state: 'rejected', suppress: [] };
    case 'renderingfailure':
      return { ...base, state: 'rendering_failed', suppress: [] };
    case 'bounce': {
      // Only a permanent bounce is a bad address; transient ones (mailbox full, too large) may pass.
      const permanent = d.bounce?.bounceType === 'Permanent';
      const detail = `${d.bounce?.bounceType ?? '?'}/${d.bounce?.bounceSubType ?? '?'}`;
      return {
        ...base,
        state: permanent ? 'bounced' : 'soft_bounced',
        suppress: permanent ? (d.bounce?.bouncedRecipients ?? []).map((r) => ({ address: r.emailAddress, reason: 'hard_bounce' as const, detail })) : [],
      };
    }
    case 'complaint': {
      const recipients = d.complaint?.complainedRecipients ?? [];
      const addresses = recipients.length > 0 ? recipients.map((r) => r.emailAddress) : d.mail.destination;
      return { ...base, state: 'complained', suppress: addresses.map((address) => ({ address, reason: 'complaint' as const, detail: d.complaint?.complaintFeedbackType ?? 'complaint' })) };
    }
    default:
      // Subscription and future event types: nothing to do.
      return { ...base, suppress: [] };
  }
}

export interface SesEventsDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Default: from the environment at call time. */
  publisher?: EventPublisher;
}

export interface SesEventResult {
  eventType: string;
  suppressed: number;
  delivery?: DeliveryUpdateResult;
}

export function makeSesEventsHandler(deps: SesEventsDeps): (event: unknown) => Promise<SesEventResult[]> {
  const suppressions = new SuppressionStore(deps.doc, deps.tableName);
  const consents = new ConsentLedger(deps.doc, deps.tableName);
  return inFunction(FUNCTION_ID.SesEvents, async (input: unknown) => {
    const events = Array.isArray(input) ? input : [input];
    const results: SesEventResult[] = [];
    for (const raw of events) {
      const parsed = SesEventBridgeEvent.safeParse(raw);
      if (!parsed.success) {
        // A malformed event will never parse on a retry: log and drop it rather than block the stream.
        const issue = parsed.error.issues[0];
        deps.logger?.warn('ses event ignored: not an SES event', { field: issue?.path.join('.'), problem: issue?.message });
        results.push({ eventType: 'invalid', suppressed: 0 });
        continue;
      }
      const meaning = interpretSesEvent(parsed.data);
      for (const s of meaning.suppress) {
        await suppressions.suppress({ address: s.address, reason: s.reason, at: meaning.at, source: `ses:${meaning.messageId}`, detail: s.detail });
      }
      // The bounce or complaint also goes to the customer's consent ledger (the ask id names the customer).
      const customerId = meaning.askId?.includes('~') ? meaning.askId.slice(0, meaning.askId.indexOf('~')) : undefined;
      if (customerId && meaning.suppress.length > 0) {
        await consents.append(customerId, meaning.suppress.map((s) => ({ at: meaning.at, source: s.reason === 'complaint' ? ('complaint' as const) : ('hard_bounce' as const), channel: 'email' as const, granted: false })));
      }
      let delivery: DeliveryUpdateResult | undefined;
      if (meaning.state && meaning.askId) {
        delivery = await updateDeliveryState(deps.doc, deps.tableName, { askId: meaning.askId, state: meaning.state, at: meaning.at, messageId: meaning.messageId });
      }
      const status = meaning.state;
      if (meaning.askId && status && (REPORTED as Set<string>).has(status) && meaning.at) {
        await (deps.publisher ?? publisherFromEnv()).publish([
          projectEvent('referral.delivery.recorded', { occurredAt: new Date(meaning.at).toISOString(), askId: meaning.askId, messageId: meaning.messageId, status: status as 'delivered' | 'bounced' | 'complained' | 'opened' }),
        ]);
      }
      deps.logger?.info('ses event', { eventType: parsed.data.detail.eventType, askId: meaning.askId, state: meaning.state, suppressed: meaning.suppress.length, delivery });
      results.push({ eventType: parsed.data.detail.eventType, suppressed: meaning.suppress.length, ...(delivery ? { delivery } : {}) });
    }
    return results;
  });
}

const docs = new Map<string, DynamoDBDocumentClient>();
const logger = new Logger({ serviceName: 'ses-events' });

/** Lambda entry: TABLE_NAME and DYNAMODB_ENDPOINT are read at call time. */
export const handler = async (event: unknown): Promise<SesEventResult[]> => {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set: the SES event handler needs the table name');
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
  let doc = docs.get(endpoint);
  if (!doc) {
    doc = createDocumentClient(endpoint ? { endpoint } : {});
    docs.set(endpoint, doc);
  }
  return makeSesEventsHandler({ doc, tableName, logger })(event);
};
