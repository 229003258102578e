// Rewards: tiered, double-sided amounts (tenure tier + referral bonus for the advocate, the offer for the friend),
// per-advocate caps, campaign budget checks and the ledger state machine. Integer minor units throughout.
import type { Campaign } from './schemas/campaign.js';
import type { Money } from './schemas/common.js';
import { formatMoney } from './money.js';
import { ValidationError } from './errors.js';

type AdvocateReward = Campaign['reward'];
type TenureTier = AdvocateReward['tenureTiers'][number];
type ReferralTier = AdvocateReward['referralTiers'][number];
type Cap = NonNullable<AdvocateReward['perAdvocateCap']>;

const DAY_MS = 86_400_000;

function assertWhole(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(`${field} must be a whole, non-negative number, got ${value}`);
}

/**
 * The tenure tier for `years`: the matching tier with the highest minYears. Years below every tier get the lowest
 * tier (a first-year customer on an order milestone); years in a gap between tiers get the tier below the gap.
 */
export function selectTenureTier(reward: AdvocateReward, years: number): TenureTier {
  const byMin = [...reward.tenureTiers].sort((a, b) => a.minYears - b.minYears);
  const within = byMin.filter((t) => t.minYears <= years && (t.maxYears === undefined || years <= t.maxYears));
  if (within.length) return within[within.length - 1]!;
  const below = byMin.filter((t) => t.minYears <= years);
  return below.length ? below[below.length - 1]! : byMin[0]!;
}

/** The referral tier reached with `successfulReferrals`, if any (the one with the highest minReferrals reached). */
export function selectReferralTier(reward: AdvocateReward, successfulReferrals: number): ReferralTier | undefined {
  return [...reward.referralTiers].sort((a, b) => a.minReferrals - b.minReferrals).filter((t) => t.minReferrals <= successfulReferrals).pop();
}

/** Extra advocate reward from the referral tier reached (0 below every tier). */
export function referralBonusMinor(reward: AdvocateReward, successfulReferrals: number): number {
  return selectReferralTier(reward, successfulReferrals)?.bonusMinor ?? 0;
}

/** A readable name for a tenure tier when the campaign gives none. */
export function tenureTierLabel(tier: TenureTier): string {
  if (tier.label) return tier.label;
  if (tier.maxYears === undefined) return `${tier.minYears}+ years`;
  return tier.minYears === tier.maxYears ? `Year ${tier.minYears}` : `Years ${tier.minYears}-${tier.maxYears}`;
}

/**
 * Both sides of a reward: the advocate's tenure amount plus the referral bonus, and the friend's offer
 * (null for offers without an amount, such as percent-off discounts).
 */
export function computeRewards(
  campaign: Pick<Campaign, 'reward' | 'offer'>,
  input: { tenureYears: number; successfulReferrals: number },
): { advocate: Money; friend: Money | null; tierLabel: string } {
  const tier = selectTenureTier(campaign.reward, input.tenureYears);
  const referralTier = selectReferralTier(campaign.reward, input.successfulReferrals);
  const advocate = { amountMinor: tier.amountMinor + (referralTier?.bonusMinor ?? 0), currency: campaign.reward.currency };
  const friend = campaign.offer.amountMinor !== undefined ? { amountMinor: campaign.offer.amountMinor, currency: campaign.offer.currency } : null;
  const tierLabel = referralTier?.label ? `${tenureTierLabel(tier)} + ${referralTier.label}` : tenureTierLabel(tier);
  return { advocate, friend, tierLabel };
}

export interface CapDecision {
  allowed: boolean;
  /** How much of the amount may be granted (less than asked when the amount cap is nearly reached). */
  allowedMinor: number;
  reason?: string;
}

/**
 * Whether an advocate may earn `amountMinor` more, given what they earned in the cap's rolling period
 * (entries strictly newer than now - periodDays count). Near the amount cap the reward is cut to what is left.
 */
export function capCheck(cap: Cap | undefined, earned: ReadonlyArray<{ amountMinor: number; at: string }>, now: Date, amountMinor: number, currency?: string): CapDecision {
  assertWhole(amountMinor, 'amountMinor');
  // The reason is read by people (`asks rewards`): money in the reward's currency when it is known.
  const money = (minor: number) => (currency ? formatMoney({ amountMinor: minor, currency }, 'en', { fraction: 'always' }) : String(minor));
  if (!cap) return { allowed: true, allowedMinor: amountMinor };
  const from = now.getTime() - cap.periodDays * DAY_MS;
  const inPeriod = earned.filter((e) => {
    const t = Date.parse(e.at);
    return t > from && t <= now.getTime();
  });
  if (cap.maxRewards !== undefined && inPeriod.length >= cap.maxRewards) {
    return { allowed: false, allowedMinor: 0, reason: `max_rewards: ${inPeriod.length} of ${cap.maxRewards} in ${cap.periodDays} days` };
  }
  if (cap.maxAmountMinor !== undefined) {
    const sum = inPeriod.reduce((s, e) => s + e.amountMinor, 0);
    const left = Math.max(0, cap.maxAmountMinor - sum);
    if (left === 0) return { allowed: false, allowedMinor: 0, reason: `max_amount: ${money(sum)} of ${money(cap.maxAmountMinor)} earned in ${cap.periodDays} days` };
    if (left < amountMinor) return { allowed: true, allowedMinor: left, reason: `capped: ${money(left)} of ${money(amountMinor)} left under max_amount` };
  }
  return { allowed: true, allowedMinor: amountMinor };
}

/** Whether spending `amountMinor` keeps the campaign within budget; remainingMinor is what is left before it. */
export function budgetCheck(budget: { amountMinor: number }, spentMinor: number, amountMinor: number): { allowed: boolean; remainingMinor: number } {
  assertWhole(spentMinor, 'spentMinor');
  assertWhole(amountMinor, 'amountMinor');
  const remainingMinor = Math.max(0, budget.amountMinor - spentMinor);
  return { allowed: amountMinor <= remainingMinor, remainingMinor };
}

export const REWARD_STATES = ['pending', 'held', 'approved', 'issued', 'voided', 'review', 'over_budget'] as const;
export type RewardState = (typeof REWARD_STATES)[number];
export const REWARD_EVENTS = ['hold', 'approve', 'issue', 'void', 'flag', 'clear', 'reject', 'exceed'] as const;
export type RewardEvent = (typeof REWARD_EVENTS)[number];

// pending -> held (refund window) -> approved -> issued; void is the clawback from any live state, even after issue.
// flag sends a suspicious reward to review, clear returns it to pending, reject voids it. exceed parks a reward the
// budget cannot cover; clear retries it once the budget allows.
const TRANSITIONS: Record<RewardState, Partial<Record<RewardEvent, RewardState>>> = {
  pending: { hold: 'held', approve: 'approved', void: 'voided', flag: 'review', exceed: 'over_budget' },
  held: { approve: 'approved', void: 'voided', flag: 'review', exceed: 'over_budget' },
  approved: { issue: 'issued', void: 'voided', flag: 'review' },
  issued: { void: 'voided' },
  review: { clear: 'pending', reject: 'voided' },
  over_budget: { clear: 'pending', void: 'voided' },
  voided: {},
};

/** The state after `event`; throws ValidationError for a move the ledger does not allow. */
export function transition(state: RewardState, event: RewardEvent): RewardState {
  const next = TRANSITIONS[state]?.[event];
  if (next === undefined) throw new ValidationError(`reward state: cannot ${event} a reward that is ${state}`);
  return next;
}

/** Whether `event` is allowed in `state`. */
export function canTransition(state: RewardState, event: RewardEvent): boolean {
  return TRANSITIONS[state]?.[event] !== undefined;
}

/** When the refund window of a reward earned at `earnedAt` ends (UTC ISO). */
export function holdUntil(earnedAt: string, holdDays: number): string {
  const t = Date.parse(earnedAt);
  if (!Number.isFinite(t)) throw new ValidationError(`earnedAt must be an ISO-8601 instant, got "${earnedAt}"`);
  assertWhole(holdDays, 'holdDays');
  return new Date(t + holdDays * DAY_MS).toISOString();
}
