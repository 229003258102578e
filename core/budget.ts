// The budget rule (docs/campaigns.md "The budget rule"), one place for `asks plan` and the run.
//
// What is committed against a campaign budget:
//   spent        rewards earned and accepted (held, approved, issued; overruns included), minus clawbacks
//   + reserved   the expected liability of open asks: each ask reserves its quoted cost (advocate + friend) times
//                the expected rewarded referrals per ask (observed once the campaign has made enough asks,
//                configured before that), rounded up to whole minor units
// An ask is made only if its reservation fits: committed + reservation <= budget, checked and added in one
// conditional update of the budget item (atomic across concurrent batches; no transactions needed). An ask that is
// not sent after all gives its reservation back; a conversion of the ask turns the reservation into the real spend.
// A reward a message or page promised is always paid: if the budget cannot take it, it is booked as an overrun.
import type { Campaign } from './schemas/campaign.js';
import type { RewardQuote } from './schemas/ask.js';
import { quotedCostMinor } from './quote.js';
import { formatMoney } from './money.js';

/** The campaign's budget item (`BUDGET#<campaignId>`), all in minor units. */
export interface BudgetState {
  /** spentMinor + reservedMinor: the one number the conditional updates guard. */
  committedMinor: number;
  spentMinor: number;
  reservedMinor: number;
  /** Paid beyond the budget because it was promised (part of spentMinor). */
  overrunMinor: number;
  /** Asks that reserved (and were not given back): the denominator of the observed rate. */
  asks: number;
  /** Rewarded referrals (advocate rewards earned): the numerator. */
  conversions: number;
}

export const EMPTY_BUDGET: BudgetState = { committedMinor: 0, spentMinor: 0, reservedMinor: 0, overrunMinor: 0, asks: 0, conversions: 0 };

/** The budget item's operations (adapters/dynamo/budget.ts; tests use `InMemoryBudget`). */
export interface BudgetStore {
  state(campaignId: string): Promise<BudgetState>;
  /**
   * Atomically: if committed + amount <= budget, add amount to reserved and committed and count `asks` asks (default 1;
   * a batch reserves for all its asks at once).
   */
  reserve(campaignId: string, amountMinor: number, budgetMinor: number, asks?: number): Promise<boolean>;
  /**
   * Give a reservation back; `uncount` also takes the ask out of the observed rate (the ask was not made), a number
   * that many asks.
   */
  unreserve(campaignId: string, amountMinor: number, options?: { uncount?: boolean | number }): Promise<void>;
}

export interface RateDecision {
  /** Expected rewarded referrals per ask. */
  rate: number;
  source: 'observed' | 'configured';
}

/**
 * The conversion rate the rule uses: the campaign's own (conversions / asks) once it has made at least
 * `budget.observeAfterAsks` asks, the configured `budget.conversionRate` before that.
 */
export function conversionRate(budget: Pick<Campaign['budget'], 'conversionRate' | 'observeAfterAsks'>, state: Pick<BudgetState, 'asks' | 'conversions'>): RateDecision {
  const configured = budget.conversionRate ?? 1;
  const after = budget.observeAfterAsks ?? 200;
  if (state.asks >= after && state.asks > 0) return { rate: state.conversions / state.asks, source: 'observed' };
  return { rate: configured, source: 'configured' };
}

/** What one ask reserves: its quoted cost (advocate + friend) times the rate, rounded up to whole minor units. */
export function askReservationMinor(quote: RewardQuote, rate: number): number {
  const cost = quotedCostMinor(quote);
  // Rounded on a whole-ppm rate so 0.1 * 3000 is 300, not 301.
  return Math.ceil((cost * Math.round(rate * 1_000_000)) / 1_000_000);
}

/** How many asks an `unreserve` takes out of the observed rate: `true` one, a number that many. */
export function uncountOf(uncount: boolean | number | undefined): number {
  return typeof uncount === 'number' ? uncount : uncount ? 1 : 0;
}

const DAY_MS = 86_400_000;

/**
 * When the reservation of an ask sent at `sentAt` (ISO) lapses: the campaign's attribution window (`windowDays`) after
 * the send. A reservation still open then (no conversion took it) is given back by the next run (ISO instant).
 */
export function reservationExpiresAt(sentAt: string, windowDays: number): string {
  return new Date(Date.parse(sentAt) + windowDays * DAY_MS).toISOString();
}

/** Whether an ask's reservation is still open and its window has ended at `now` (ISO). */
export function reservationLapsed(ask: { reservation?: string; reservationExpiresAt?: string }, now: string): boolean {
  return ask.reservation === 'open' && ask.reservationExpiresAt !== undefined && Date.parse(ask.reservationExpiresAt) <= Date.parse(now);
}

/**
 * The most one ask of `campaign` can reserve at `rate` (minor units): the largest tenure tier plus the largest
 * referral bonus for the advocate, plus the friend's offer, times the rate (as `askReservationMinor` rounds it).
 */
export function maxAskReservationMinor(campaign: Pick<Campaign, 'reward' | 'offer'>, rate: number): number {
  const advocate = Math.max(...campaign.reward.tenureTiers.map((t) => t.amountMinor)) + Math.max(0, ...campaign.reward.referralTiers.map((t) => t.bonusMinor));
  const friend = campaign.offer.amountMinor ?? 0;
  return askReservationMinor({ tenureYears: 0, tierLabel: '', advocate: { amountMinor: advocate, currency: campaign.reward.currency }, friend: friend > 0 ? { amountMinor: friend, currency: campaign.offer.currency ?? campaign.reward.currency } : null }, rate);
}

/**
 * Whether the budget could run out within `asks` more asks: its room (budget - committed) is less than what that many
 * asks could reserve at most. A run whose budget is tight processes one batch at a time, in the order `asks plan`
 * walks the customers, so the plan and the run ask the same customers (concurrent batches would race for the last
 * of the budget: the same number asked, not the same people).
 */
export function budgetIsTight(campaign: Pick<Campaign, 'reward' | 'offer' | 'budget'>, state: BudgetState, asks: number): boolean {
  const { rate } = conversionRate(campaign.budget, state);
  return campaign.budget.amountMinor - state.committedMinor < maxAskReservationMinor(campaign, rate) * asks;
}

/** Whether `amountMinor` more fits: committed + amount <= budget (the condition every reservation is written with). */
export function fitsBudget(budgetMinor: number, committedMinor: number, amountMinor: number): boolean {
  return committedMinor + amountMinor <= budgetMinor;
}

/**
 * The rule as a sequence, for `asks plan` (and tests): reserve in order, skipping what does not fit. The run does the
 * same in the order it reads customers, with `BudgetStore.reserve`: one conditional update per batch (`BatchReservation`),
 * or per ask when the batch's room was taken meanwhile.
 */
export class BudgetPlanner {
  committedMinor: number;
  constructor(
    readonly budgetMinor: number,
    committedMinor: number,
  ) {
    this.committedMinor = committedMinor;
  }
  reserve(amountMinor: number): boolean {
    if (!fitsBudget(this.budgetMinor, this.committedMinor, amountMinor)) return false;
    this.committedMinor += amountMinor;
    return true;
  }
}

/**
 * The run's reservations of one batch: the sum of what its asks reserve (as `BudgetPlanner` decided them) is taken in
 * one conditional update, atomic across concurrent batches and never past the budget, then handed to the batch's asks
 * in memory; what no ask used (a lost claim, a failed send) goes back in one update when the batch ends (`close`).
 * When the room for the whole batch is not there (another batch took it meanwhile), each ask reserves on its own with
 * the same conditional update, as the rule says. A process killed mid-batch leaves the unused part committed: the
 * budget then errs on the side of asking less, never more.
 */
export class BatchReservation {
  private poolMinor = 0;
  private poolAsks = 0;
  private closed = false;

  private constructor(
    private readonly store: BudgetStore,
    private readonly campaignId: string,
    private readonly budgetMinor: number,
  ) {}

  /** Reserve `amounts` (one per ask, minor units) at once; with fewer than two asks nothing is pooled. */
  static async open(store: BudgetStore, campaignId: string, budgetMinor: number, amounts: number[]): Promise<BatchReservation> {
    const batch = new BatchReservation(store, campaignId, budgetMinor);
    if (amounts.length > 1) {
      const total = amounts.reduce((a, b) => a + b, 0);
      if (await store.reserve(campaignId, total, budgetMinor, amounts.length)) {
        batch.poolMinor = total;
        batch.poolAsks = amounts.length;
      }
    }
    return batch;
  }

  /** Reserve for one ask: from the batch's pool, else on its own. Returns where it came from, undefined when it does not fit. */
  async take(amountMinor: number): Promise<'pool' | 'own' | undefined> {
    if (!this.closed && this.poolAsks > 0 && this.poolMinor >= amountMinor) {
      this.poolAsks -= 1;
      this.poolMinor -= amountMinor;
      return 'pool';
    }
    return (await this.store.reserve(this.campaignId, amountMinor, this.budgetMinor)) ? 'own' : undefined;
  }

  /** An ask that was not made gives its reservation back (to the pool while the batch runs). */
  async giveBack(amountMinor: number, from: 'pool' | 'own'): Promise<void> {
    if (from === 'pool' && !this.closed) {
      this.poolAsks += 1;
      this.poolMinor += amountMinor;
      return;
    }
    await this.store.unreserve(this.campaignId, amountMinor, { uncount: true });
  }

  /** The batch ended: the unused part of its reservation goes back. */
  async close(): Promise<void> {
    const minor = this.poolMinor;
    const asks = this.poolAsks;
    this.closed = true;
    this.poolMinor = 0;
    this.poolAsks = 0;
    if (minor > 0 || asks > 0) await this.store.unreserve(this.campaignId, minor, { uncount: asks });
  }
}

/**
 * The BudgetStore in memory: the same atomic check-and-add as the DynamoDB conditional update. Tests, and the
 * reference model of the property tests.
 */
export class InMemoryBudget implements BudgetStore {
  readonly items = new Map<string, BudgetState>();
  private get(campaignId: string): BudgetState {
    let s = this.items.get(campaignId);
    if (!s) this.items.set(campaignId, (s = { ...EMPTY_BUDGET }));
    return s;
  }
  async state(campaignId: string): Promise<BudgetState> {
    return { ...this.get(campaignId) };
  }
  async reserve(campaignId: string, amountMinor: number, budgetMinor: number, asks = 1): Promise<boolean> {
    const s = this.get(campaignId);
    if (!fitsBudget(budgetMinor, s.committedMinor, amountMinor)) return false;
    s.committedMinor += amountMinor;
    s.reservedMinor += amountMinor;
    s.asks += asks;
    return true;
  }
  async unreserve(campaignId: string, amountMinor: number, options: { uncount?: boolean | number } = {}): Promise<void> {
    const s = this.get(campaignId);
    s.committedMinor -= amountMinor;
    s.reservedMinor -= amountMinor;
    s.asks -= uncountOf(options.uncount);
  }
}

/** An amount of the campaign's budget currency for people to read (`€15.00`, `¥1,500`): reasons, details, errors. */
export function budgetMoney(campaign: Pick<Campaign, 'budget'>, amountMinor: number): string {
  return formatMoney({ amountMinor, currency: campaign.budget.currency }, 'en', { fraction: 'always' });
}
