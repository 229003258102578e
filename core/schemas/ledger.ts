// The reward ledger's entries (append-only: a state change is a new entry with the next seq) and the work items around
// it: hold markers the approver reads by day, review items the `asks review` command reads.
import { z } from 'zod';
import { REWARD_STATES } from '../rewards.js';
import { Currency, MinorUnits, UtcInstant } from './common.js';

export const LedgerEntry = z.object({
  rewardId: z.string().min(1),
  seq: z.number().int().min(1),
  state: z.enum(REWARD_STATES),
  advocateId: z.string().min(1),
  campaignId: z.string().min(1),
  beneficiary: z.enum(['advocate', 'friend']),
  /** The advocate's customer id, or the friend's external customer id. */
  beneficiaryId: z.string().min(1),
  amountMinor: MinorUnits,
  currency: Currency,
  conversionId: z.string().min(1),
  referralCode: z.string().optional(),
  tierLabel: z.string().optional(),
  reason: z.string().optional(),
  holdUntil: UtcInstant.optional(),
  /** True once the amount was taken from the campaign budget (released again on a clawback). */
  spent: z.boolean().optional(),
  /** The ask quoted this reward to the advocate and the friend: it is paid even past the budget (then `overrun`). */
  promised: z.boolean().optional(),
  /** Paid although it took the campaign past its budget: the reward was promised (core/budget.ts, docs/campaigns.md). */
  overrun: z.boolean().optional(),
  /** When the reward was first earned (the seq 1 entry's time; caps count from it). */
  earnedAt: UtcInstant.optional(),
  at: UtcInstant,
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/** A held reward waiting for its refund window to end. */
export const HoldMarker = z.object({ advocateId: z.string(), rewardId: z.string(), holdUntil: UtcInstant });
export type HoldMarker = z.infer<typeof HoldMarker>;

/** A reward parked over budget: retried when the campaign's budget allows (a refund gives money back, or the budget grows). */
export const ParkedMarker = z.object({ campaignId: z.string(), advocateId: z.string(), rewardId: z.string(), amountMinor: z.number().int().min(0), at: UtcInstant });
export type ParkedMarker = z.infer<typeof ParkedMarker>;

/** A fraud-flagged conversion waiting for a person: both of its rewards are in `review`. */
export const ReviewItem = z.object({
  conversionId: z.string(),
  campaignId: z.string(),
  advocateId: z.string(),
  refereeId: z.string(),
  rewardIds: z.array(z.string()),
  reasons: z.array(z.string()),
  at: UtcInstant,
});
export type ReviewItem = z.infer<typeof ReviewItem>;
