// Events on the project's own EventBridge bus. detail-type is versioned ("referral.ask.sent.v1") and every
// detail carries `version`, so consumers can branch on it.
import * as z from 'zod';
import { Channel, Currency, MinorUnits, UtcInstant } from './common.js';
import { SkipReason } from './ask.js';

export const EVENT_SOURCE = 'milestone-referral-asks';

const base = { version: z.literal(1), occurredAt: UtcInstant };

export const EventDetails = {
  'referral.run.completed': z.object({ ...base, runId: z.string(), campaignId: z.string(), runDate: z.string(), totals: z.record(z.string(), z.number()) }),
  'referral.ask.sent': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), channel: Channel, variantId: z.string() }),
  'referral.ask.skipped': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), reason: SkipReason }),
  'referral.ask.inapp': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), title: z.string(), body: z.string(), shareUrl: z.url() }),
  'referral.ask.assisted': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), accountManager: z.object({ name: z.string(), email: z.string() }).optional(), shareMessage: z.string(), shareUrl: z.url() }),
  'referral.share.recorded': z.object({ ...base, askId: z.string(), referralCode: z.string(), network: z.string() }),
  'referral.click.recorded': z.object({ ...base, clickId: z.string(), referralCode: z.string(), campaignId: z.string() }),
  'referral.conversion.recorded': z.object({ ...base, conversionId: z.string(), referralCode: z.string(), campaignId: z.string(), type: z.enum(['signup', 'purchase', 'refund']), amountMinor: MinorUnits.optional(), currency: Currency.optional() }),
  'referral.reward.earned': z.object({ ...base, rewardId: z.string(), campaignId: z.string(), beneficiary: z.enum(['advocate', 'friend']), customerId: z.string(), amountMinor: MinorUnits, currency: Currency }),
  'referral.reward.approved': z.object({ ...base, rewardId: z.string(), campaignId: z.string(), customerId: z.string(), amountMinor: MinorUnits, currency: Currency }),
  'referral.reward.issued': z.object({ ...base, rewardId: z.string(), campaignId: z.string(), customerId: z.string(), amountMinor: MinorUnits, currency: Currency }),
  'referral.reward.voided': z.object({ ...base, rewardId: z.string(), campaignId: z.string(), customerId: z.string(), reason: z.string() }),
  'referral.fraud.flagged': z.object({ ...base, conversionId: z.string(), campaignId: z.string(), reasons: z.array(z.string()).min(1) }),
} as const;
export type EventName = keyof typeof EventDetails;
export type EventDetail<N extends EventName> = z.infer<(typeof EventDetails)[N]>;

/** The versioned detail-type for an event name. */
export function detailType(name: EventName): string {
  return `${name}.v1`;
}

/** Inbound activity that can cross a threshold milestone (detail-type "customer.activity"). */
export const CustomerActivity = z.discriminatedUnion('type', [
  z.object({ type: z.literal('order_completed'), customerId: z.string(), orderId: z.string(), amountMinor: MinorUnits, currency: Currency, at: UtcInstant }),
  z.object({ type: z.literal('tier_changed'), customerId: z.string(), tier: z.string(), at: UtcInstant }),
  z.object({ type: z.literal('project_completed'), customerId: z.string(), projectId: z.string(), at: UtcInstant }),
]);
export type CustomerActivity = z.infer<typeof CustomerActivity>;
