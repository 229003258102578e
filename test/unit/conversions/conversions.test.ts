// The conversion decision over in-memory ports: reward math (tenure + referral tiers, double-sided), caps, budget
// exhaustion (over_budget, never exceeded), refund clawback after issue, fraud -> review and the review decisions.
import { describe, expect, it } from 'vitest';
import { approveDueRewards, decideReview, emailHashOf, recordConversion, rewardIdFor, runRewardSchedule } from '../../../core/conversions.js';
import { ConversionInput, type ConversionInputRaw } from '../../../core/schemas/conversion.js';
import type { CampaignInput } from '../../../core/schemas/campaign.js';
import { makeCampaign } from '../core/fixtures.js';
import { fakeDeps } from './fakes.js';

const CODE = 'abcd2345ef';
const T0 = new Date('2026-11-25T10:00:00.000Z');
const day = (n: number) => new Date(T0.getTime() + n * 86_400_000);
let n = 0;

function setup(campaign: Partial<CampaignInput> = {}, options: { years?: number; referrals?: number } = {}) {
  const c = makeCampaign(campaign);
  const f = fakeDeps([c]);
  f.store.codes.set(CODE, { customerId: 'adv-1', campaignId: c.id, askId: 'adv-1~occ' });
  f.store.years.set('adv-1~occ', options.years ?? 3);
  f.store.advocates.set('adv-1', { id: 'adv-1', email: 'ada.lovelace@gmail.com', paymentFingerprint: 'fp-adv', successfulReferrals: options.referrals ?? 0 });
  return { ...f, campaign: c };
}

const input = (over: Partial<ConversionInputRaw> = {}) => {
  n += 1;
  return ConversionInput.parse({ type: 'purchase', idempotencyKey: `k-${n}`, externalCustomerId: `friend-${n}`, email: `friend${n}@example.com`, referralCode: CODE, amountMinor: 5000, currency: 'EUR', occurredAt: T0.toISOString(), ...over });
};

describe('rewards', () => {
  it('pays both sides: the tenure tier for the advocate, the offer for the friend, held for the refund window', async () => {
    const { deps, ledger, store } = setup({}, { years: 3 });
    const r = await recordConversion(deps, input(), T0);
    expect(r).toMatchObject({ status: 'recorded', rule: 'cookie', advocateId: 'adv-1' });
    expect(r.rewards).toEqual([
      expect.objectContaining({ beneficiary: 'advocate', amountMinor: 1500, state: 'held' }),
      expect.objectContaining({ beneficiary: 'friend', amountMinor: 2000, state: 'held' }),
    ]);
    expect(await ledger.spentMinor('signup-anniversary')).toBe(3500);
    expect([...ledger.holds.values()].every((h) => h.holdUntil === day(30).toISOString())).toBe(true);
    expect(store.advocates.get('adv-1')!.successfulReferrals).toBe(1);
  });

  it('adds the referral tier bonus once the advocate has enough successful referrals', async () => {
    const { deps } = setup({}, { years: 7, referrals: 3 });
    const r = await recordConversion(deps, input(), T0);
    expect(r.rewards[0]).toMatchObject({ beneficiary: 'advocate', amountMinor: 2500 + 1000 });
  });

  it('signups are recorded but earn nothing', async () => {
    const { deps, ledger } = setup();
    const r = await recordConversion(deps, input({ type: 'signup', amountMinor: undefined, currency: undefined }), T0);
    expect(r).toMatchObject({ status: 'recorded', rewards: [] });
    expect(ledger.rows.size).toBe(0);
  });

  it('returns the first result for a replayed idempotency key and writes nothing more', async () => {
    const { deps, ledger, publisher } = setup();
    const body = input();
    const first = await recordConversion(deps, body, T0);
    const rows = ledger.rows.size;
    const events = publisher.events.length;
    const again = await recordConversion(deps, body, day(1));
    expect(again).toEqual({ ...first, replayed: true });
    expect(ledger.rows.size).toBe(rows);
    expect(publisher.events.length).toBe(events);
  });
});

describe('caps and budget', () => {
  it('voids an advocate reward over maxRewards in the period, and trims one that would pass maxAmount', async () => {
    const { deps } = setup({ reward: { kind: 'credit', currency: 'EUR', tenureTiers: [{ minYears: 0, amountMinor: 1500 }], referralTiers: [], holdDays: 30, perAdvocateCap: { maxRewards: 2, maxAmountMinor: 2000, periodDays: 365 } } });
    const first = await recordConversion(deps, input(), T0);
    const second = await recordConversion(deps, input(), T0);
    const third = await recordConversion(deps, input(), T0);
    expect(first.rewards[0]).toMatchObject({ state: 'held', amountMinor: 1500 });
    expect(second.rewards[0]).toMatchObject({ state: 'held', amountMinor: 500 });
    expect(third.rewards[0]).toMatchObject({ state: 'voided' });
    // The friend's offer is not capped by the advocate's cap.
    expect(third.rewards[1]).toMatchObject({ beneficiary: 'friend', state: 'held' });
  });

  it('parks a reward the budget cannot cover as over_budget and never spends past the budget', async () => {
    const { deps, ledger } = setup({ budget: { amountMinor: 5000, currency: 'EUR' } });
    const first = await recordConversion(deps, input(), T0); // 1500 + 2000 = 3500
    const second = await recordConversion(deps, input(), T0); // 1500 fits (5000), 2000 does not
    expect(first.rewards.map((r) => r.state)).toEqual(['held', 'held']);
    expect(second.rewards.map((r) => r.state)).toEqual(['held', 'over_budget']);
    expect(await ledger.spentMinor('signup-anniversary')).toBe(5000);
    const third = await recordConversion(deps, input(), T0);
    expect(third.rewards.map((r) => r.state)).toEqual(['over_budget', 'over_budget']);
    expect(await ledger.spentMinor('signup-anniversary')).toBe(5000);
  });
});

describe('over-budget rewards resume when the budget has room again', () => {
  it('a refund frees budget: the next schedule run holds the parked reward; one still short stays parked', async () => {
    // Prepare: a 5000 budget; the second conversion's friend reward (2000) is parked, the third's both.
    const { deps, ledger } = setup({ budget: { amountMinor: 5000, currency: 'EUR' } });
    const first = await recordConversion(deps, input({ externalCustomerId: 'friend-a' }), T0); // 3500 spent
    await recordConversion(deps, input({ externalCustomerId: 'friend-b' }), T0); // 1500 spent, 2000 parked
    await recordConversion(deps, input({ externalCustomerId: 'friend-c' }), T0); // 1500 + 2000 parked
    expect(ledger.parkedMarkers.size).toBe(3);
    expect(await runRewardSchedule(deps, day(1))).toMatchObject({ parkedExamined: 3, parkedResumed: 0 });

    // Act: friend A refunds, giving 3500 back; the schedule runs.
    await recordConversion(deps, input({ type: 'refund', externalCustomerId: first.rewards[1]!.beneficiaryId, referralCode: undefined }), day(2));
    const run = await runRewardSchedule(deps, day(2));

    // Assess: 3500 room covers friend B's 2000 and friend C's 1500 advocate reward, not C's 2000 friend reward.
    expect(run.parkedResumed).toBe(2);
    expect(await ledger.spentMinor('signup-anniversary')).toBeLessThanOrEqual(5000);
    const states = async (ext: string) => Promise.all((['advocate', 'friend'] as const).map(async (side) => (await ledger.history('adv-1', rewardIdFor('signup-anniversary', side, ext))).at(-1)!.state));
    expect(await states('friend-b')).toEqual(['held', 'held']);
    expect((await states('friend-c')).sort()).toEqual(['held', 'over_budget']);
    expect(ledger.parkedMarkers.size).toBe(1);
  });
});

describe('refund clawback', () => {
  it('voids rewards after they were issued and gives the budget back', async () => {
    const { deps, ledger, publisher } = setup();
    const body = input({ externalCustomerId: 'friend-refund' });
    await recordConversion(deps, body, T0);
    expect(await approveDueRewards(deps, day(29))).toMatchObject({ issued: 0 });
    expect(await approveDueRewards(deps, day(30))).toMatchObject({ approved: 2, issued: 2 });
    const refund = await recordConversion(deps, input({ type: 'refund', externalCustomerId: 'friend-refund', referralCode: undefined }), day(31));
    expect(refund.status).toBe('refunded');
    expect(refund.rewards.map((r) => r.state)).toEqual(['voided', 'voided']);
    const history = await ledger.history('adv-1', rewardIdFor('signup-anniversary', 'advocate', 'friend-refund'));
    expect(history.map((e) => e.state)).toEqual(['pending', 'held', 'approved', 'issued', 'voided']);
    expect(await ledger.spentMinor('signup-anniversary')).toBe(0);
    expect(publisher.events.filter((e) => e.detailType === 'referral.reward.voided.v1')).toHaveLength(2);
  });

  it('a refund for a referee nobody referred changes nothing', async () => {
    const { deps, ledger } = setup();
    const r = await recordConversion(deps, input({ type: 'refund', externalCustomerId: 'stranger', referralCode: undefined }), T0);
    expect(r.status).toBe('refund_unmatched');
    expect(ledger.rows.size).toBe(0);
  });
});

describe('fraud -> review', () => {
  it.each([
    ['self_referral_customer', { externalCustomerId: 'adv-1' }],
    ['self_referral_email', { email: 'Ada.Love.lace+promo@googlemail.com' }],
    ['self_referral_email', { email: undefined, emailHash: emailHashOf('adalovelace@gmail.com') }],
    ['self_referral_payment', { paymentFingerprint: 'fp-adv' }],
    ['disposable_email', { email: 'x@mailinator.com' }],
  ] as const)('flags %s into review, pays nothing and publishes referral.fraud.flagged', async (reason, over) => {
    const { deps, ledger, publisher, store } = setup();
    const r = await recordConversion(deps, input(over as Partial<ConversionInputRaw>), T0);
    expect(r.fraudReasons).toContain(reason);
    expect(r.rewards.map((x) => x.state)).toEqual(['review', 'review']);
    expect(await ledger.spentMinor('signup-anniversary')).toBe(0);
    expect(ledger.reviews.has(r.conversionId)).toBe(true);
    expect(publisher.events.some((e) => e.detailType === 'referral.fraud.flagged.v1')).toBe(true);
    expect(store.advocates.get('adv-1')!.successfulReferrals).toBe(0);
  });

  it('flags a referee who was a customer long before the referral', async () => {
    const { deps, store } = setup();
    store.customersSince.set('old-customer', '2020-01-01');
    const r = await recordConversion(deps, input({ externalCustomerId: 'old-customer' }), T0);
    expect(r.fraudReasons).toEqual(['existing_customer']);
  });

  it('flags velocity from the campaign file: more conversions for one advocate than fraud.velocity allows', async () => {
    // Prepare: the campaign allows two conversions per advocate in 24 hours.
    const { deps } = setup({ fraud: { velocity: { maxConversions: 2, windowHours: 24 } } });
    const states = [];
    for (let i = 0; i < 3; i += 1) states.push((await recordConversion(deps, input(), T0)).rewards[0]!.state);
    expect(states).toEqual(['held', 'held', 'review']);
  });

  it('counts only conversions inside the velocity window', async () => {
    const { deps } = setup({ fraud: { velocity: { maxConversions: 1, windowHours: 2 } } });
    const first = await recordConversion(deps, input(), T0);
    const later = await recordConversion(deps, input({ occurredAt: new Date(T0.getTime() + 3 * 3_600_000).toISOString() }), new Date(T0.getTime() + 3 * 3_600_000));
    expect([first.rewards[0]!.state, later.rewards[0]!.state]).toEqual(['held', 'held']);
  });

  it('approve clears a review into the normal path; reject voids it', async () => {
    const { deps, ledger, store } = setup();
    const a = await recordConversion(deps, input({ paymentFingerprint: 'fp-adv' }), T0);
    const b = await recordConversion(deps, input({ paymentFingerprint: 'fp-adv' }), T0);
    const approved = await decideReview(deps, a.conversionId, 'approve', day(1));
    expect(approved!.rewards.map((r) => r.state)).toEqual(['held', 'held']);
    expect(store.advocates.get('adv-1')!.successfulReferrals).toBe(1);
    const rejected = await decideReview(deps, b.conversionId, 'reject', day(1));
    expect(rejected!.rewards.map((r) => r.state)).toEqual(['voided', 'voided']);
    expect(await ledger.listReviews()).toEqual([]);
    expect(await decideReview(deps, 'cv_unknown', 'approve', day(1))).toBeUndefined();
  });
});

describe('attribution in the flow', () => {
  it('credits a referee to one advocate only and records the deciding rule', async () => {
    const { deps, store, campaign } = setup();
    store.codes.set('zzzz2345zz', { customerId: 'adv-2', campaignId: campaign.id, askId: 'adv-2~occ' });
    store.advocates.set('adv-2', { id: 'adv-2', successfulReferrals: 0 });
    store.clicks.set('click-0001', { referralCode: CODE, clickId: 'click-0001', campaignId: campaign.id, advocateId: 'adv-1', at: day(-2).toISOString() });
    const first = await recordConversion(deps, input({ externalCustomerId: 'f-x', clickId: 'click-0001' }), T0);
    expect(first).toMatchObject({ rule: 'click_id', advocateId: 'adv-1' });
    const second = await recordConversion(deps, input({ externalCustomerId: 'f-x', referralCode: 'zzzz2345zz', codeSource: 'typed' }), T0);
    expect(second.status).toBe('duplicate_referee');
    expect(store.advocates.get('adv-2')!.successfulReferrals).toBe(0);
  });
});

describe('events are delivered at least once', () => {
  /** A publisher whose next `failures` calls throw, as PutEvents does when EventBridge is unavailable. */
  function flaky(publisher: { publish: (events: never[]) => Promise<void> }, failures: number) {
    const real = publisher.publish.bind(publisher);
    let left = failures;
    publisher.publish = async (events: never[]) => {
      if (left > 0) {
        left -= 1;
        throw Object.assign(new Error('EventBridge unavailable'), { name: 'TransientError' });
      }
      return real(events);
    };
  }
  const names = (events: Array<{ detailType: string }>) => events.map((e) => e.detailType).sort();

  it('a conversion retried after its events failed to go out publishes them on the retry', async () => {
    // Prepare: the first attempt writes everything, then PutEvents fails.
    const { deps, publisher } = setup();
    flaky(publisher as never, 1);
    const body = input({ externalCustomerId: 'friend-flaky' });
    await expect(recordConversion(deps, body, T0)).rejects.toThrow('EventBridge unavailable');
    expect(publisher.events).toHaveLength(0);

    // Act: the sender retries with the same idempotency key.
    const retried = await recordConversion(deps, body, T0);

    // Assess: nothing counted twice, and the events the first attempt lost went out now.
    expect(retried.rewards.map((r) => r.state)).toEqual(['held', 'held']);
    expect(names(publisher.events)).toEqual(['referral.conversion.recorded.v1', 'referral.reward.earned.v1', 'referral.reward.earned.v1']);
    const replay = await recordConversion(deps, body, T0);
    expect(replay.replayed).toBe(true);
    expect(publisher.events).toHaveLength(3);
  });

  it('the approver re-sends approved/issued for a reward whose hold marker survived a failed publish', async () => {
    // Prepare
    const { deps, publisher } = setup();
    await recordConversion(deps, input({ externalCustomerId: 'friend-approver' }), T0);
    const before = publisher.events.length;
    flaky(publisher as never, 1);

    // Act: the first run issues the first reward, then fails to publish; the next run finds its marker.
    await expect(approveDueRewards(deps, day(30))).rejects.toThrow('EventBridge unavailable');
    const second = await approveDueRewards(deps, day(30));

    // Assess
    expect(second.examined).toBe(2);
    const sent = names(publisher.events.slice(before));
    expect(sent.filter((n) => n === 'referral.reward.issued.v1')).toHaveLength(2);
    expect(sent.filter((n) => n === 'referral.reward.approved.v1')).toHaveLength(2);
    expect(await approveDueRewards(deps, day(31))).toMatchObject({ examined: 0 });
  });

  it('a refund retried after a failed publish still announces both voided rewards', async () => {
    // Prepare
    const { deps, publisher } = setup();
    await recordConversion(deps, input({ externalCustomerId: 'friend-refund-flaky' }), T0);
    const before = publisher.events.length;
    flaky(publisher as never, 1);
    const refund = input({ type: 'refund', externalCustomerId: 'friend-refund-flaky', referralCode: undefined });

    // Act
    await expect(recordConversion(deps, refund, day(2))).rejects.toThrow('EventBridge unavailable');
    await recordConversion(deps, refund, day(2));

    // Assess
    expect(names(publisher.events.slice(before)).filter((n) => n === 'referral.reward.voided.v1')).toHaveLength(2);
  });
});
