// The budget rule (core/budget.ts) and the quote (core/quote.ts): properties with fast-check. Reservations never
// over-commit under any interleaving of concurrent callers; the plan's sequential rule decides exactly as the store
// does in the same order; a naive read-then-write budget is caught over-committing (so the property can fail).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { askReservationMinor, budgetIsTight, BudgetPlanner, EMPTY_BUDGET, maxAskReservationMinor, conversionRate, fitsBudget, InMemoryBudget, reservationExpiresAt, reservationLapsed, type BudgetStore } from '../../../core/budget.js';
import { quoteFor, quoteOf, quotedCostMinor } from '../../../core/quote.js';
import type { RewardQuote } from '../../../core/schemas/ask.js';
import { makeCampaign, makeCustomer } from './fixtures.js';

const quote = (advocate: number, friend: number | null): RewardQuote => ({
  tenureYears: 1,
  tierLabel: 'T',
  advocate: { amountMinor: advocate, currency: 'EUR' },
  friend: friend === null ? null : { amountMinor: friend, currency: 'EUR' },
});

/** A store whose every call yields to the fast-check scheduler first: any order of concurrent calls can happen. */
function scheduled(store: BudgetStore, s: fc.Scheduler): BudgetStore {
  return {
    state: (c) => s.schedule(Promise.resolve(), 'state').then(() => store.state(c)),
    reserve: (c, a, b) => s.schedule(Promise.resolve(), `reserve ${a}`).then(() => store.reserve(c, a, b)),
    unreserve: (c, a, o) => s.schedule(Promise.resolve(), `unreserve ${a}`).then(() => store.unreserve(c, a, o)),
  };
}

/** The mistake the conditional update prevents: read the committed total, decide, then write. */
class ReadThenWriteBudget extends InMemoryBudget {
  constructor(private readonly s: fc.Scheduler) {
    super();
  }
  override async reserve(campaignId: string, amountMinor: number, budgetMinor: number): Promise<boolean> {
    const before = (await this.state(campaignId)).committedMinor;
    await this.s.schedule(Promise.resolve(), 'between read and write');
    if (!fitsBudget(budgetMinor, before, amountMinor)) return false;
    const item = this.items.get(campaignId)!;
    item.committedMinor += amountMinor;
    item.reservedMinor += amountMinor;
    item.asks += 1;
    return true;
  }
}

const amounts = fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 25 });

describe('budget reservations under concurrency', () => {
  it('never commit past the budget, and committed is exactly the sum of the reservations granted, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), amounts, fc.integer({ min: 0, max: 20_000 }), fc.array(fc.boolean(), { maxLength: 25 }), async (s, asks, budget, giveBack) => {
        const memory = new InMemoryBudget();
        const store = scheduled(memory, s);
        let granted = 0;
        const peaks: number[] = [];
        const tasks = asks.map(async (amount, i) => {
          if (!(await store.reserve('c', amount, budget))) return;
          granted += amount;
          peaks.push((await memory.state('c')).committedMinor);
          if (giveBack[i]) {
            await store.unreserve('c', amount, { uncount: true });
            granted -= amount;
          }
        });
        await s.waitFor(Promise.all(tasks));
        const state = await memory.state('c');
        expect(peaks.every((p) => p <= budget)).toBe(true);
        expect(state.committedMinor).toBe(granted);
        expect(state.committedMinor).toBeLessThanOrEqual(budget);
        expect(state.reservedMinor).toBe(granted);
      }),
      { numRuns: 200 },
    );
  });

  it('catches a read-then-write budget over-committing (the property can fail)', async () => {
    const result = await fc.check(
      fc.asyncProperty(fc.scheduler(), amounts, fc.integer({ min: 0, max: 20_000 }), async (s, asks, budget) => {
        const store = new ReadThenWriteBudget(s);
        const tasks = asks.map((a) => store.reserve('c', a, budget));
        await s.waitFor(Promise.all(tasks));
        expect((await store.state('c')).committedMinor).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(result.failed).toBe(true);
  });

  it('the plan (BudgetPlanner) and the store decide every ask alike when they reserve in the same order', async () => {
    await fc.assert(
      fc.asyncProperty(amounts, fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }), async (asks, budget, committed) => {
        const planner = new BudgetPlanner(budget, committed);
        const store = new InMemoryBudget();
        store.items.set('c', { committedMinor: committed, spentMinor: committed, reservedMinor: 0, overrunMinor: 0, asks: 0, conversions: 0 });
        for (const a of asks) expect(await store.reserve('c', a, budget)).toBe(planner.reserve(a));
        expect(planner.committedMinor).toBe((await store.state('c')).committedMinor);
        if (committed <= budget) expect(planner.committedMinor).toBeLessThanOrEqual(budget);
      }),
    );
  });
});

describe('what an ask commits', () => {
  it('is its quoted cost times the rate, rounded up; the full cost at rate 1; never negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.option(fc.integer({ min: 0, max: 100_000 })), fc.double({ min: 0, max: 5, noNaN: true }), (a, f, rate) => {
        const q = quote(a, f);
        const r = askReservationMinor(q, rate);
        expect(Number.isInteger(r)).toBe(true);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeGreaterThanOrEqual(Math.floor(quotedCostMinor(q) * rate) - 1);
        expect(r).toBeLessThanOrEqual(Math.ceil(quotedCostMinor(q) * rate) + 1);
        expect(askReservationMinor(q, 1)).toBe(a + (f ?? 0));
      }),
    );
    expect(askReservationMinor(quote(1500, 1500), 0.1)).toBe(300);
    expect(askReservationMinor(quote(1500, 1500), 0.25)).toBe(750);
  });

  it('uses the configured rate until the campaign made observeAfterAsks asks, then its own', () => {
    const budget = { conversionRate: 0.25, observeAfterAsks: 100 };
    expect(conversionRate(budget, { asks: 99, conversions: 90 })).toEqual({ rate: 0.25, source: 'configured' });
    expect(conversionRate(budget, { asks: 100, conversions: 10 })).toEqual({ rate: 0.1, source: 'observed' });
  });
});

describe('the quote (the reward decided once)', () => {
  const campaign = makeCampaign();

  it('gives a 3-year customer on a 10th order the years-2-5 tier, and carries the years on the milestone', () => {
    const customer = makeCustomer({ signupDate: '2023-01-10' });
    const { milestone, quote: q } = quoteFor(campaign, customer, { kind: 'nth_purchase', occurrenceId: 'nth_purchase#10', occurredOn: '2026-05-04', threshold: 10 });
    expect(milestone.years).toBe(3);
    expect(q).toMatchObject({ tenureYears: 3, threshold: 10, tierLabel: 'Years 2 to 5', advocate: { amountMinor: 1500, currency: 'EUR' }, friend: { amountMinor: 2000 } });
  });

  it('is read back unchanged from the ask, whatever the campaign or the advocate became since', () => {
    const customer = makeCustomer({ signupDate: '2023-01-10' });
    const { milestone, quote: q } = quoteFor(campaign, customer, { kind: 'nth_purchase', occurrenceId: 'nth_purchase#10', occurredOn: '2026-05-04', threshold: 10 });
    const richer = makeCampaign({ offer: { kind: 'credit', amountMinor: 9900, currency: 'EUR', description: 'more' } });
    expect(quoteOf({ quote: q, milestone }, richer)).toEqual(q);
    expect(quoteOf({ quote: q, milestone }, richer, { successfulReferrals: 50 })).toEqual(q);
  });
});

describe('reservations lapse after the attribution window', () => {
  interface OpenAsk {
    reservedMinor: number;
    reservation: 'open' | 'converted' | 'expired';
    reservationExpiresAt: string;
  }
  const DAY = 86_400_000;
  const start = Date.parse('2026-03-01T10:00:00Z');
  // One simulated day: asks that try to reserve (their cost), and which of the open asks convert (by index).
  const day = fc.record({ asks: fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 6 }), converts: fc.array(fc.nat(50), { maxLength: 3 }) });

  it('keep committed = spent + open reservations <= budget over simulated days, and lapsed asks free budget for new asks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(day, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1000, max: 12_000 }), fc.integer({ min: 1, max: 10 }), async (days, budget, windowDays) => {
        const store = new InMemoryBudget();
        const asks: OpenAsk[] = [];
        let spent = 0;
        for (let d = 0; d < days.length; d += 1) {
          const now = new Date(start + d * DAY).toISOString();
          // The run's sweep (the injected clock): every open reservation whose window ended goes back.
          for (const a of asks.filter((x) => reservationLapsed(x, now))) {
            a.reservation = 'expired';
            await store.unreserve('c', a.reservedMinor);
          }
          // Conversions within the window turn the reservation into spending (once).
          for (const i of days[d]!.converts) {
            const a = asks.filter((x) => x.reservation === 'open')[i];
            if (!a) continue;
            a.reservation = 'converted';
            await store.unreserve('c', a.reservedMinor);
            const s = store.items.get('c')!;
            s.committedMinor += a.reservedMinor;
            s.spentMinor += a.reservedMinor;
            spent += a.reservedMinor;
          }
          for (const cost of days[d]!.asks) {
            const reservedMinor = askReservationMinor(quote(cost, null), 1);
            if (await store.reserve('c', reservedMinor, budget)) asks.push({ reservedMinor, reservation: 'open', reservationExpiresAt: reservationExpiresAt(now, windowDays) });
          }
          const state = await store.state('c');
          const open = asks.filter((a) => a.reservation === 'open').reduce((n, a) => n + a.reservedMinor, 0);
          expect(state.committedMinor).toBe(spent + open);
          expect(state.committedMinor).toBeLessThanOrEqual(budget);
        }
        // Once every window has ended, nothing is reserved any more: a new ask fits whatever the budget left unspent.
        const later = new Date(start + (days.length + windowDays + 1) * DAY).toISOString();
        for (const a of asks.filter((x) => reservationLapsed(x, later))) await store.unreserve('c', a.reservedMinor);
        const room = budget - spent;
        if (room > 0) expect(await store.reserve('c', room, budget)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('lapses exactly windowDays after the send, and only while open', () => {
    expect(reservationExpiresAt('2026-03-01T10:00:00.000Z', 30)).toBe('2026-03-31T10:00:00.000Z');
    const ask = { reservation: 'open', reservationExpiresAt: '2026-03-31T10:00:00.000Z' };
    expect(reservationLapsed(ask, '2026-03-31T09:59:59.999Z')).toBe(false);
    expect(reservationLapsed(ask, '2026-03-31T10:00:00.000Z')).toBe(true);
    expect(reservationLapsed({ ...ask, reservation: 'converted' }, '2026-04-30T00:00:00.000Z')).toBe(false);
  });
});

describe('a tight budget (the run goes one batch at a time)', () => {
  // Tiers €10 / €15 / €25 for the advocate, a €5 bonus from the second referral tier, €20 for the friend.
  const campaign = makeCampaign({
    reward: { ...makeCampaign().reward, currency: 'EUR', tenureTiers: [{ minYears: 0, amountMinor: 1000, label: 'a' }, { minYears: 2, amountMinor: 1500, label: 'b' }, { minYears: 5, amountMinor: 2500, label: 'c' }], referralTiers: [{ minReferrals: 1, bonusMinor: 200, label: 'x' }, { minReferrals: 5, bonusMinor: 500, label: 'y' }] },
    offer: { ...makeCampaign().offer, amountMinor: 2000, currency: 'EUR' },
    budget: { amountMinor: 100_000, currency: 'EUR', conversionRate: 0.1 },
  });

  it('reserves at most the largest tier plus the largest bonus plus the offer, times the rate', () => {
    // (2500 + 500 + 2000) * 0.1 = 500
    expect(maxAskReservationMinor(campaign, 0.1)).toBe(500);
    expect(maxAskReservationMinor(campaign, 1)).toBe(5000);
  });

  it('is tight when the room is less than what the round could reserve at most', () => {
    // Room €1,000 - €0 = 100,000 minor; 200 asks * 500 = 100,000 fits exactly, 201 asks do not.
    expect(budgetIsTight(campaign, EMPTY_BUDGET, 200)).toBe(false);
    expect(budgetIsTight(campaign, EMPTY_BUDGET, 201)).toBe(true);
    // Committed money shrinks the room: 99,500 left is less than 200 * 500.
    expect(budgetIsTight(campaign, { ...EMPTY_BUDGET, committedMinor: 500, reservedMinor: 500 }, 200)).toBe(true);
  });
});
