// Events on the project's own bus, and the analytics source: every step of an ask's life publishes one (locally they
// are appended to `.local/events.jsonl`; in the cloud Firehose keeps them in S3 for Athena). detail-type is versioned
// ("referral.ask.sent.v1") and every detail carries `version`, so consumers can branch on it. Each detail is validated
// against its schema where it is built (`projectEvent`), and the publisher port takes only the typed union.
//
// Dimensions: the ask events carry the report's dimensions (campaign, variant, channel, milestone kind, tenure tier,
// cohort month, run date in the campaign's zone) and the referral code; later events carry the ask id or the referral
// code, which key them back to their ask (analytics/views/*.sql), plus the campaign.
import * as z from 'zod';
import { Channel, Currency, LocalDate, MinorUnits, UtcInstant } from './common.js';
import { MILESTONE_KINDS } from './campaign.js';
import { SkipReason } from './ask.js';

export const EVENT_SOURCE = 'milestone-referral-asks';

const base = { version: z.literal(1), occurredAt: UtcInstant, demo: z.boolean().optional() };
const YearMonth = z.string().regex(/^\d{4}-\d{2}$/, 'must be YYYY-MM');

/** What every ask event carries: who, which campaign and variant, and the report's dimensions. */
const askDims = {
  askId: z.string(),
  campaignId: z.string(),
  customerId: z.string(),
  /** The customer's subject id when the caller knows it (the publisher drops `customerId` for it). */
  subjectId: z.string().optional(),
  milestoneKind: z.enum(MILESTONE_KINDS),
  /** The customer's local date of the milestone. */
  milestoneOn: LocalDate,
  /** The campaign's reward tier label for the customer's tenure ("Years 2 to 5"). */
  tenureTier: z.string(),
  /** The customer's signup month (YYYY-MM). */
  cohortMonth: YearMonth,
  /** The run's date: a day-mode run's own runDate (its record's); in hour mode the decision's date in the campaign's timezone. */
  runDate: LocalDate,
  variantId: z.string().optional(),
};

const money = { amountMinor: MinorUnits, currency: Currency };
const reward = { rewardId: z.string(), campaignId: z.string(), customerId: z.string(), referralCode: z.string().optional(), beneficiary: z.enum(['advocate', 'friend']).optional(), ...money };

export const EventDetails = {
  'referral.run.completed': z.object({ ...base, runId: z.string(), campaignId: z.string(), runDate: z.string(), totals: z.record(z.string(), z.number()) }),
  'referral.ask.sent': z.object({ ...base, ...askDims, variantId: z.string(), channel: Channel, referralCode: z.string().optional() }),
  'referral.ask.held_out': z.object({ ...base, ...askDims }),
  'referral.ask.skipped': z.object({ ...base, ...askDims, reason: SkipReason }),
  'referral.ask.deferred': z.object({ ...base, ...askDims, channel: Channel.optional(), until: UtcInstant }),
  'referral.ask.failed': z.object({ ...base, ...askDims, channel: Channel, error: z.string() }),
  /** Ids only: the title, text and link name the person; the app reads them from /inapp/asks (docs/privacy.md). */
  'referral.ask.inapp': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), subjectId: z.string().optional() }),
  'referral.ask.assisted': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), subjectId: z.string().optional(), accountManager: z.object({ name: z.string(), email: z.string() }).optional(), shareMessage: z.string(), shareUrl: z.url(), subject: z.string().optional(), statusUrl: z.string().optional() }),
  /** From SES events (configuration set): one per delivery state reached. */
  'referral.delivery.recorded': z.object({ ...base, askId: z.string(), messageId: z.string(), status: z.enum(['delivered', 'bounced', 'complained', 'opened']) }),
  'referral.share.viewed': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), referralCode: z.string() }),
  'referral.share.recorded': z.object({ ...base, askId: z.string(), campaignId: z.string(), customerId: z.string(), referralCode: z.string(), network: z.string() }),
  /** Human clicks only: bots and link previewers are answered but not recorded. */
  'referral.click.recorded': z.object({ ...base, clickId: z.string(), referralCode: z.string(), campaignId: z.string() }),
  'referral.lead.recorded': z.object({ ...base, leadId: z.string(), campaignId: z.string(), referralCode: z.string().optional() }),
  'referral.conversion.recorded': z.object({
    ...base,
    conversionId: z.string(),
    referralCode: z.string(),
    campaignId: z.string(),
    type: z.enum(['signup', 'purchase', 'refund']),
    /** The referee (the friend) in the sender's system. */
    refereeId: z.string().optional(),
    orderId: z.string().optional(),
    amountMinor: MinorUnits.optional(),
    currency: Currency.optional(),
  }),
  'referral.reward.earned': z.object({ ...base, ...reward, beneficiary: z.enum(['advocate', 'friend']) }),
  'referral.reward.held': z.object({ ...base, ...reward, holdUntil: UtcInstant }),
  'referral.reward.approved': z.object({ ...base, ...reward }),
  'referral.reward.issued': z.object({ ...base, ...reward }),
  /** `previousState` "issued" means a clawback of money already paid out. */
  'referral.reward.voided': z.object({ ...base, rewardId: z.string(), campaignId: z.string(), customerId: z.string(), referralCode: z.string().optional(), reason: z.string(), previousState: z.string().optional(), amountMinor: MinorUnits.optional(), currency: Currency.optional() }),
  /** The campaign budget had no room: the reward is parked until it has. */
  'referral.reward.overrun': z.object({ ...base, ...reward }),
  /** A promised reward paid although the campaign's commitments pass its budget (core/budget.ts): alarm on it. */
  'referral.budget.overrun': z.object({ ...base, campaignId: z.string(), rewardId: z.string(), amountMinor: MinorUnits, overrunMinor: MinorUnits, budgetMinor: MinorUnits, currency: Currency }),
  'referral.fraud.flagged': z.object({ ...base, conversionId: z.string(), campaignId: z.string(), reasons: z.array(z.string()).min(1) }),
  /** A customer's order (asked, held-out and organic customers alike): the holdout and cohort revenue. */
  'customer.order.completed': z.object({ ...base, customerId: z.string(), orderId: z.string(), ...money, signupDate: LocalDate.optional() }),
  /** An erasure happened (docs/privacy.md): the pseudonym that replaced the person in the ledger, and counts. */
  'referral.customer.erased': z.object({ ...base, pseudonym: z.string(), deleted: z.number().int().min(0), pseudonymized: z.number().int().min(0) }),
} as const;
export type EventName = keyof typeof EventDetails;
export type EventDetail<N extends EventName> = z.infer<(typeof EventDetails)[N]>;
/** What a caller gives `projectEvent` (defaults not yet applied, `version` filled in). */
export type EventInput<N extends EventName> = Omit<z.input<(typeof EventDetails)[N]>, 'version'>;
export const EVENT_NAMES = Object.keys(EventDetails) as EventName[];

/** The versioned detail-type for an event name. */
export function detailType<N extends EventName>(name: N): `${N}.v1` {
  return `${name}.v1`;
}

/** One event as the publisher port takes it: a detail-type of the union and its typed detail. */
export type ProjectEvent = { [N in EventName]: { detailType: `${N}.v1`; detail: EventDetail<N> } }[EventName];

/**
 * Build one event, validated against its schema (`version` is filled in). Throws a zod error when the detail does
 * not match: a bug where the event is made, never a malformed line in the log.
 */
export function projectEvent<N extends EventName>(name: N, detail: EventInput<N>): ProjectEvent {
  const parsed = EventDetails[name].parse({ version: 1, ...detail });
  return { detailType: detailType(name), detail: parsed } as ProjectEvent;
}

/**
 * The details as they leave the process (the bus, `.local/events.jsonl`): no customer ids. The one function
 * `pseudonymizeEventDetail` (core/privacy.ts, applied by the publisher adapter) turns `customerId` into `subjectId`,
 * `refereeId` into `refereeSubjectId` and `<customerId>~<occurrence>` ask ids into `<subjectId>~<occurrence>`. The
 * subject ids are random; their mapping to people lives only in the table, and an erasure deletes it (docs/privacy.md).
 */
export const PublishedEventDetails = Object.fromEntries(
  Object.entries(EventDetails).map(([name, schema]) => {
    const shape = schema.shape as Record<string, z.ZodType>;
    let published: z.ZodObject = schema;
    if ('customerId' in shape) published = published.omit({ customerId: true }).extend({ subjectId: z.string().min(1) });
    if ('refereeId' in shape) published = published.omit({ refereeId: true }).extend({ refereeSubjectId: z.string().min(1).optional() });
    return [name, published];
  }),
) as Record<EventName, z.ZodObject>;

/** Inbound erasure request (detail-type "customer.erasure.requested"): `{customerId}` or `{email}`. */
export const ERASURE_REQUESTED = 'customer.erasure.requested';

/** Inbound activity that can cross a threshold milestone (detail-type "customer.activity"). */
export const CustomerActivity = z.discriminatedUnion('type', [
  z.object({ type: z.literal('order_completed'), customerId: z.string(), orderId: z.string(), amountMinor: MinorUnits, currency: Currency, at: UtcInstant }),
  z.object({ type: z.literal('tier_changed'), customerId: z.string(), tier: z.string(), at: UtcInstant }),
  z.object({ type: z.literal('project_completed'), customerId: z.string(), projectId: z.string(), at: UtcInstant }),
]);
export type CustomerActivity = z.infer<typeof CustomerActivity>;
