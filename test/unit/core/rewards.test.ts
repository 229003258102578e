// Rewards: tenure and referral tiers, double-sided amounts, caps and budget at their boundaries, ledger states.
import { describe, expect, it } from 'vitest';
import {
  budgetCheck,
  canTransition,
  capCheck,
  computeRewards,
  holdUntil,
  referralBonusMinor,
  REWARD_EVENTS,
  REWARD_STATES,
  selectTenureTier,
  tenureTierLabel,
  transition,
  type RewardState,
} from '../../../core/rewards.js';
import { ValidationError } from '../../../core/errors.js';
import { makeCampaign } from './fixtures.js';

const campaign = makeCampaign();
const reward = campaign.reward;
const NOW = new Date('2025-06-10T10:00:00Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

describe('selectTenureTier', () => {
  it.each([
    [1, 1000],
    [2, 1500],
    [5, 1500],
    [6, 2500],
    [40, 2500],
  ])('year %i earns %i', (years, amount) => {
    expect(selectTenureTier(reward, years).amountMinor).toBe(amount);
  });

  it('gives years below every tier the lowest tier', () => {
    expect(selectTenureTier(reward, 0).label).toBe('First year');
  });

  it('gives years in a gap the tier below the gap', () => {
    const gappy = { ...reward, tenureTiers: [{ minYears: 1, maxYears: 2, amountMinor: 100 }, { minYears: 5, amountMinor: 500 }] };
    expect(selectTenureTier(gappy, 3).amountMinor).toBe(100);
  });

  it('does not depend on the order tiers are listed in', () => {
    const reversed = { ...reward, tenureTiers: [...reward.tenureTiers].reverse() };
    expect(selectTenureTier(reversed, 3).amountMinor).toBe(1500);
  });
});

describe('referralBonusMinor', () => {
  const multi = { ...reward, referralTiers: [{ minReferrals: 10, bonusMinor: 3000 }, { minReferrals: 3, bonusMinor: 1000 }] };

  it.each([
    [0, 0],
    [2, 0],
    [3, 1000],
    [9, 1000],
    [10, 3000],
  ])('%i successful referrals give a bonus of %i', (n, bonus) => {
    expect(referralBonusMinor(multi, n)).toBe(bonus);
  });
});

describe('computeRewards', () => {
  it('adds the referral bonus to the tenure amount and gives the friend the offer', () => {
    expect(computeRewards(campaign, { tenureYears: 3, successfulReferrals: 4 })).toEqual({
      advocate: { amountMinor: 2500, currency: 'EUR' },
      friend: { amountMinor: 2000, currency: 'EUR' },
      tierLabel: 'Years 2 to 5 + Super advocate',
    });
  });

  it('gives no friend money for a percent-only offer', () => {
    const pct = makeCampaign({ offer: { kind: 'discount', percentOff: 15, currency: 'EUR', description: '15% off' } });
    expect(computeRewards(pct, { tenureYears: 1, successfulReferrals: 0 }).friend).toBeNull();
  });

  it('names unlabeled tiers', () => {
    expect(tenureTierLabel({ minYears: 1, maxYears: 1, amountMinor: 1 })).toBe('Year 1');
    expect(tenureTierLabel({ minYears: 2, maxYears: 5, amountMinor: 1 })).toBe('Years 2-5');
    expect(tenureTierLabel({ minYears: 6, amountMinor: 1 })).toBe('6+ years');
  });

  it('keeps amounts whole', () => {
    const r = computeRewards(campaign, { tenureYears: 7, successfulReferrals: 3 });
    expect(Number.isInteger(r.advocate.amountMinor)).toBe(true);
  });
});



describe('capCheck', () => {
  const cap = { maxRewards: 3, maxAmountMinor: 5000, periodDays: 365 };

  it('allows everything without a cap', () => {
    expect(capCheck(undefined, [], NOW, 999_999)).toEqual({ allowed: true, allowedMinor: 999_999 });
  });

  it('allows the last reward below maxRewards and refuses the one at it', () => {
    const two = [{ amountMinor: 100, at: ago(1) }, { amountMinor: 100, at: ago(2) }];
    expect(capCheck(cap, two, NOW, 100)).toEqual({ allowed: true, allowedMinor: 100 });
    const three = [...two, { amountMinor: 100, at: ago(3) }];
    expect(capCheck(cap, three, NOW, 100)).toMatchObject({ allowed: false, allowedMinor: 0, reason: expect.stringMatching(/^max_rewards/) });
  });

  it('allows an amount that reaches the cap exactly', () => {
    expect(capCheck(cap, [{ amountMinor: 4000, at: ago(1) }], NOW, 1000)).toEqual({ allowed: true, allowedMinor: 1000 });
  });

  it('cuts an amount that would pass the cap to what is left', () => {
    expect(capCheck(cap, [{ amountMinor: 4000, at: ago(1) }], NOW, 1500)).toMatchObject({ allowed: true, allowedMinor: 1000 });
  });

  it('refuses when the amount cap is used up', () => {
    expect(capCheck(cap, [{ amountMinor: 5000, at: ago(1) }], NOW, 1)).toMatchObject({ allowed: false, allowedMinor: 0, reason: expect.stringMatching(/^max_amount/) });
  });

  it('forgets rewards that left the period, counting the boundary instant as outside', () => {
    const old = [{ amountMinor: 5000, at: ago(365) }];
    expect(capCheck(cap, old, NOW, 1000)).toEqual({ allowed: true, allowedMinor: 1000 });
    const justInside = [{ amountMinor: 5000, at: new Date(NOW.getTime() - 365 * DAY + 1).toISOString() }];
    expect(capCheck(cap, justInside, NOW, 1000).allowed).toBe(false);
  });

  it('refuses fractional amounts', () => {
    expect(() => capCheck(cap, [], NOW, 10.5)).toThrow(ValidationError);
  });
});

describe('budgetCheck', () => {
  it('allows spending exactly the remaining budget', () => {
    expect(budgetCheck({ amountMinor: 10_000 }, 7_000, 3_000)).toEqual({ allowed: true, remainingMinor: 3_000 });
  });

  it('refuses one minor unit more', () => {
    expect(budgetCheck({ amountMinor: 10_000 }, 7_000, 3_001)).toEqual({ allowed: false, remainingMinor: 3_000 });
  });

  it('reports zero remaining when overspent', () => {
    expect(budgetCheck({ amountMinor: 10_000 }, 12_000, 1)).toEqual({ allowed: false, remainingMinor: 0 });
  });
});

describe('reward state machine', () => {
  it('walks the happy path pending -> held -> approved -> issued', () => {
    let s: RewardState = 'pending';
    s = transition(s, 'hold');
    s = transition(s, 'approve');
    s = transition(s, 'issue');
    expect(s).toBe('issued');
  });

  it.each<RewardState>(['pending', 'held', 'approved', 'issued'])('voids from %s (clawback)', (state) => {
    expect(transition(state, 'void')).toBe('voided');
  });

  it('keeps voided terminal', () => {
    for (const e of REWARD_EVENTS) expect(canTransition('voided', e)).toBe(false);
    expect(() => transition('voided', 'approve')).toThrow(ValidationError);
  });

  it('sends flagged rewards to review, clears them to pending or rejects them', () => {
    expect(transition('held', 'flag')).toBe('review');
    expect(transition('review', 'clear')).toBe('pending');
    expect(transition('review', 'reject')).toBe('voided');
  });

  it('parks rewards the budget cannot cover and retries them later', () => {
    expect(transition('pending', 'exceed')).toBe('over_budget');
    expect(transition('over_budget', 'clear')).toBe('pending');
  });

  it('refuses to issue a reward that was not approved, naming both', () => {
    expect(() => transition('held', 'issue')).toThrow(/issue.*held/);
  });

  it('knows every state', () => {
    for (const s of REWARD_STATES) expect(() => canTransition(s, 'void')).not.toThrow();
  });
});

describe('holdUntil', () => {
  it('adds the hold days', () => {
    expect(holdUntil('2025-01-31T12:00:00.000Z', 30)).toBe('2025-03-02T12:00:00.000Z');
  });

  it('refuses a bad instant and names it', () => {
    expect(() => holdUntil('yesterday', 30)).toThrow(/earnedAt/);
  });
});
