// The reward is decided once. When an ask is claimed, `quoteFor` fixes its milestone facts (tenure years, threshold,
// tier) and the amounts it promises (advocate and friend, minor units + currency, tier label); the ask stores them.
// Email, SMS, in-app, share page, landing page, status page and the ledger all read them back through `quoteOf(ask)`:
// nothing downstream recomputes tenure or tiers, so what a message showed is what the ledger books.
import { tenureYears } from './milestones.js';
import { computeRewards } from './rewards.js';
import type { Campaign } from './schemas/campaign.js';
import type { MilestoneOccurrence, RewardQuote } from './schemas/ask.js';
import type { Customer } from './schemas/customer.js';

export type { RewardQuote } from './schemas/ask.js';

/**
 * The quote for `customer`'s `occurrence` of `campaign`, and the occurrence completed with its years (threshold
 * milestones carry the tenure years too). Tenure is computed here and only here: whole years from the signup date to
 * the milestone's local day (core/milestones.ts `tenureYears`). The referral bonus is the tier reached now.
 */
export function quoteFor(
  campaign: Pick<Campaign, 'reward' | 'offer'>,
  customer: Pick<Customer, 'signupDate'> & { counters?: { successfulReferrals?: number } },
  occurrence: MilestoneOccurrence,
): { milestone: MilestoneOccurrence; quote: RewardQuote } {
  const years = tenureYears(customer.signupDate, occurrence.occurredOn);
  const milestone: MilestoneOccurrence = occurrence.years === undefined && occurrence.kind !== 'birthday' ? { ...occurrence, years } : occurrence;
  return { milestone, quote: quoteFromTenure(campaign, years, customer.counters?.successfulReferrals ?? 0, occurrence.threshold) };
}

function quoteFromTenure(campaign: Pick<Campaign, 'reward' | 'offer'>, years: number, successfulReferrals: number, threshold: MilestoneOccurrence['threshold']): RewardQuote {
  const r = computeRewards(campaign, { tenureYears: years, successfulReferrals });
  return {
    tenureYears: years,
    ...(threshold !== undefined ? { threshold } : {}),
    tierLabel: r.tierLabel,
    advocate: r.advocate,
    friend: r.friend,
    ...(r.friend === null && campaign.offer.percentOff !== undefined ? { friendPercentOff: campaign.offer.percentOff } : {}),
  };
}

/**
 * The reward an ask promised: the quote stored at claim time. Asks claimed before quotes were stored get one from the
 * years their milestone recorded (and `legacy.successfulReferrals`, default 0), never from a fresh tenure computation.
 */
export function quoteOf(
  ask: { quote?: RewardQuote | undefined; milestone: Pick<MilestoneOccurrence, 'years' | 'threshold'> },
  campaign: Pick<Campaign, 'reward' | 'offer'>,
  legacy: { successfulReferrals?: number } = {},
): RewardQuote {
  return ask.quote ?? quoteFromTenure(campaign, ask.milestone.years ?? 0, legacy.successfulReferrals ?? 0, ask.milestone.threshold);
}

/** Both quoted rewards together (advocate + friend), in minor units: what one rewarded referral of the ask costs. */
export function quotedCostMinor(quote: RewardQuote): number {
  return quote.advocate.amountMinor + (quote.friend?.amountMinor ?? 0);
}
