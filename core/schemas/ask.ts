// The ask: one per customer and milestone occurrence, whatever reruns. Stored item and outcome codes.
import * as z from 'zod';
import { Channel, LocalDate, Money, UtcInstant } from './common.js';
import { MILESTONE_KINDS } from './campaign.js';

/** Why a due customer was not asked. Order here is the order eligibility applies the rules. */
export const SKIP_REASONS = [
  'campaign_inactive',
  'opted_out',
  'do_not_ask',
  'suppressed',
  'no_consented_channel',
  'invalid_address',
  'audience_mismatch',
  'recent_refund',
  'open_support_ticket',
  'cooldown',
  'frequency_cap',
  'quiet_hours',
  'holdout',
  'budget_exhausted',
  'already_asked',
] as const;
export const SkipReason = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReason>;

/** A milestone occurrence: the thing an ask celebrates. Its id makes the ask idempotent. */
export const MilestoneOccurrence = z.object({
  kind: z.enum(MILESTONE_KINDS),
  /** e.g. "signup_anniversary#2026" or "nth_purchase#10". */
  occurrenceId: z.string().min(1),
  /** The local date the milestone falls on for the customer. */
  occurredOn: LocalDate,
  /** Whole years the milestone celebrates (date milestones: since the date; threshold milestones: tenure at claim). */
  years: z.number().int().min(0).optional(),
  /** The threshold crossed (threshold milestones). */
  threshold: z.union([z.number(), z.string()]).optional(),
});
export type MilestoneOccurrence = z.infer<typeof MilestoneOccurrence>;

/**
 * The reward an ask promises, decided once when the ask is claimed (core/quote.ts `quoteFor`) and read by every
 * message, page and the ledger through `quoteOf(ask)`. Amounts in integer minor units.
 */
export const RewardQuote = z.object({
  /** Whole years of tenure on the milestone's day (core/milestones.ts `tenureYears`): picks the tenure tier. */
  tenureYears: z.number().int().min(0),
  /** The threshold crossed (threshold milestones). */
  threshold: z.union([z.number(), z.string()]).optional(),
  /** The tier label: tenure tier, plus the referral tier reached when the ask was made. */
  tierLabel: z.string(),
  /** What the advocate earns per rewarded referral: tenure amount + referral bonus reached at claim time. */
  advocate: Money,
  /** What the friend gets (null for offers without an amount: percent-off, features, gifts). */
  friend: Money.nullable(),
  /** Percent off for the friend (discount offers without an amount). */
  friendPercentOff: z.number().int().min(1).max(100).optional(),
});
export type RewardQuote = z.infer<typeof RewardQuote>;

export const AskStatus = z.enum(['claimed', 'sent', 'delivered', 'held_out', 'skipped', 'deferred', 'failed', 'bounced', 'complained']);
export type AskStatus = z.infer<typeof AskStatus>;

export const Ask = z.object({
  askId: z.string().min(1),
  customerId: z.string().min(1),
  campaignId: z.string().min(1),
  runId: z.string().min(1),
  /** The run execution that wrote the ask (a retried batch tells its own earlier sends from other runs'). */
  executionId: z.string().optional(),
  /** The batch of that execution (its journal counts the ask when the batch's process died: adapters/dynamo/runs.ts). */
  batchId: z.string().optional(),
  milestone: MilestoneOccurrence,
  status: AskStatus,
  skipReason: SkipReason.optional(),
  /** Local instant (UTC) at which a deferred ask may go out. */
  deferredUntil: UtcInstant.optional(),
  variantId: z.string().optional(),
  channel: Channel.optional(),
  channelReason: z.string().optional(),
  referralCode: z.string().optional(),
  messageId: z.string().optional(),
  error: z.string().optional(),
  /** The reward promised (set when the ask is claimed to be sent). */
  quote: RewardQuote.optional(),
  /** Budget reserved by this ask (core/budget.ts) and what became of it. */
  reservedMinor: z.number().int().min(0).optional(),
  reservation: z.enum(['open', 'released', 'converted', 'expired']).optional(),
  /**
   * The send marker, kept on the ask (adapters/dynamo/ask-send-markers.ts): `sending` is written just before the
   * channel call (after the send-rate wait), `sent` with the status when the ask completes, `unknown` when the call
   * may or may not have reached the provider. No marker on a claimed ask: the channel was provably never called.
   */
  sendState: z.enum(['sending', 'sent', 'unknown']).optional(),
  /** Which attempt holds the `sending` marker. */
  sendLease: z.string().optional(),
  sendStartedAt: UtcInstant.optional(),
  /** Why the outcome is unknown, and since when. */
  sendReason: z.string().optional(),
  sendUnknownAt: UtcInstant.optional(),
  /** When an open reservation of a sent ask lapses: the attribution window after the send (core/budget.ts). */
  reservationExpiresAt: UtcInstant.optional(),
  createdAt: UtcInstant,
  updatedAt: UtcInstant,
});
export type Ask = z.infer<typeof Ask>;
