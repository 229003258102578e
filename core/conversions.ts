// Conversions, end to end and pure (every effect through a port): replay check, attribution, the one-advocate rule for
// a referee, the conversion record, fraud checks, double-sided rewards through the append-only ledger (pending ->
// held | review | over_budget | voided by cap), refund clawback, the approver (held -> approved -> issued) and the
// review decisions. Every step is idempotent: deterministic ids plus conditional writes in the adapters.
import { createHash } from 'node:crypto';
import { attribute, type AttributionPolicy, type Touch } from './attribution.js';
import { fraudReasons, normalizeEmail, type FraudReason } from './fraud.js';
import type { CampaignRepository, EventPublisher } from './ports.js';
import { quoteOf, type RewardQuote } from './quote.js';
import { budgetCheck, canTransition, capCheck, holdUntil, transition, type RewardEvent, type RewardState } from './rewards.js';
import type { Ask } from './schemas/ask.js';
import type { Campaign } from './schemas/campaign.js';
import type { AttributionRule, ConversionInput, ConversionResult, RewardSummary } from './schemas/conversion.js';
import { projectEvent, type EventInput, type EventName, type ProjectEvent } from './schemas/events.js';
import type { HoldMarker, LedgerEntry, ParkedMarker, ReviewItem } from './schemas/ledger.js';
import { sumByCurrency, type Money } from './money.js';
import { budgetMoney } from './budget.js';

const DAY_MS = 86_400_000;

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
/** The hash a sender puts in `emailHash`. */
export const emailHashOf = (email: string): string => sha256Hex(normalizeEmail(email));
/** One conversion id per idempotency key: a replay can never become a second conversion. */
export const conversionIdFor = (idempotencyKey: string): string => `cv_${sha256Hex(`conversion:${idempotencyKey}`).slice(0, 24)}`;
/** One reward per side, campaign and referee: a second purchase by the same friend is never credited twice. */
export const rewardIdFor = (campaignId: string, side: 'advocate' | 'friend', refereeId: string): string =>
  `rw_${campaignId}_${side === 'advocate' ? 'a' : 'f'}_${sha256Hex(`referee:${campaignId}:${refereeId}`).slice(0, 20)}`;

/** Conversion types that earn rewards. Signups are recorded (the funnel) but pay nothing. */
export const QUALIFYING_TYPES: ReadonlySet<ConversionInput['type']> = new Set(['purchase']);
/** States whose amount counts towards per-advocate caps (live rewards). */
const LIVE_STATES: ReadonlySet<RewardState> = new Set(['pending', 'held', 'approved', 'issued']);

export interface ClickRecord {
  referralCode: string;
  clickId: string;
  campaignId: string;
  advocateId: string;
  at: string;
}
export interface LeadRecord {
  email: string;
  at: string;
  clickId?: string;
}
export interface CodeOwnerRecord {
  customerId: string;
  campaignId: string;
  askId: string;
}
export interface AdvocateRecord {
  id: string;
  email?: string;
  paymentFingerprint?: string;
  successfulReferrals: number;
}
export interface RefereeClaim {
  campaignId: string;
  externalCustomerId: string;
  emailHash?: string;
  advocateId: string;
  referralCode: string;
  rule: AttributionRule;
  conversionId: string;
  at: string;
}
export type ClaimOutcome = { status: 'claimed' | 'same_advocate' } | { status: 'other_advocate' | 'other_person'; holder: RefereeClaim };

export interface ConversionRecord {
  conversionId: string;
  type: ConversionInput['type'];
  status: ConversionResult['status'];
  referralCode: string;
  campaignId: string;
  advocateId: string;
  externalCustomerId: string;
  rule?: AttributionRule;
  clickId?: string;
  amountMinor?: number;
  currency?: string;
  occurredAt: string;
  at: string;
  /** The sender's idempotency key: an erasure finds the stored webhook outcome (`IDEM#<key>`) through it. */
  idempotencyKey?: string;
}

/** Where conversions, clicks, leads, claims and advocates live (adapters/dynamo/conversions.ts). */
export interface ConversionStore {
  outcome(idempotencyKey: string): Promise<ConversionResult | undefined>;
  /** Conditional put: the first outcome stored for a key stays. */
  /** Store the first outcome for a key (conditional put); true when this call stored it, false when one was there. */
  saveOutcome(idempotencyKey: string, result: ConversionResult, at: string): Promise<boolean>;
  codeOwner(code: string): Promise<CodeOwnerRecord | undefined>;
  /** The stored click, by code + click id (GetItem) or by click id alone when the store can. */
  click(clickId: string, code?: string): Promise<ClickRecord | undefined>;
  leads(code: string): Promise<LeadRecord[]>;
  advocate(customerId: string): Promise<AdvocateRecord | undefined>;
  /** The ask behind a code: its stored quote and milestone (core/quote.ts `quoteOf` reads the reward from it). */
  ask(askId: string): Promise<Pick<Ask, 'quote' | 'milestone'> | undefined>;
  /**
   * Turn the ask's open budget reservation into spending (once per ask): marks it converted and returns the amount it
   * had reserved (0 when it had none or it was already converted, released or expired).
   */
  consumeReservation(askId: string): Promise<number>;
  /** The signup date of a stored customer with this id, when there is one. */
  existingCustomerSince(customerId: string): Promise<string | undefined>;
  claimReferee(claim: RefereeClaim): Promise<ClaimOutcome>;
  claimsOf(externalCustomerId: string): Promise<RefereeClaim[]>;
  putConversion(record: ConversionRecord): Promise<boolean>;
  /** counters.successfulReferrals + 1 on the advocate, once per reward id (guarded on the customer item). */
  countSuccessfulReferral(advocateId: string, rewardId: string): Promise<boolean>;
  /** The reverse on refund: counters.successfulReferrals - 1, only when that reward id was counted (exactly once). */
  uncountSuccessfulReferral(advocateId: string, rewardId: string): Promise<boolean>;
}

/** The append-only ledger, the campaign budget and the work items (adapters/dynamo/ledger.ts). */
export interface RewardLedger {
  /** Conditional append; false when that seq of that reward already exists. */
  append(entry: LedgerEntry): Promise<boolean>;
  /** Every entry of one reward, oldest first (strongly consistent). */
  history(advocateId: string, rewardId: string): Promise<LedgerEntry[]>;
  /** Every entry of an advocate (all rewards). */
  entries(advocateId: string): Promise<LedgerEntry[]>;
  /** Spend if committed (spent + reserved) + amount stays within the budget (one conditional update). */
  spend(campaignId: string, amountMinor: number, budgetMinor: number): Promise<boolean>;
  /** Spend a promised reward whatever the budget says; returns the money it put beyond the budget (else 0). */
  spendPromised(campaignId: string, amountMinor: number, budgetMinor: number): Promise<number>;
  /** Give back a reservation of an ask (it converted: its real rewards are spent instead). */
  unreserve(campaignId: string, amountMinor: number): Promise<void>;
  /** One more rewarded referral for the campaign's observed conversion rate. */
  countConversion(campaignId: string): Promise<void>;
  release(campaignId: string, amountMinor: number): Promise<void>;
  spentMinor(campaignId: string): Promise<number>;
  putHold(marker: HoldMarker): Promise<void>;
  deleteHold(marker: HoldMarker): Promise<void>;
  /** Every hold marker whose holdUntil <= now, however long ago (Query by hold day from the oldest that may hold one). */
  dueHolds(now: Date): Promise<HoldMarker[]>;
  /**
   * Called after a run handled every marker of its `dueHolds` except `kept` (still held): the ledger may stop reading
   * the days before the oldest kept one. Optional: a ledger without it reads its days as before.
   */
  holdsHandled?(now: Date, kept: readonly HoldMarker[]): Promise<void>;
  /** Over-budget rewards of a campaign waiting for budget (one marker per reward, so re-parking is idempotent). */
  putParked(marker: ParkedMarker): Promise<void>;
  deleteParked(marker: Pick<ParkedMarker, 'campaignId' | 'advocateId' | 'rewardId'>): Promise<void>;
  parked(campaignId: string): Promise<ParkedMarker[]>;
  putReview(item: ReviewItem): Promise<void>;
  getReview(conversionId: string): Promise<ReviewItem | undefined>;
  listReviews(): Promise<ReviewItem[]>;
  deleteReview(conversionId: string): Promise<void>;
}

export interface ConversionDeps {
  store: ConversionStore;
  ledger: RewardLedger;
  campaigns: CampaignRepository;
  publisher: EventPublisher;
  /** The disposable email domains, or a loader (the list is large: read on the first conversion that needs it). */
  disposableDomains: ReadonlySet<string> | (() => Promise<ReadonlySet<string>>);
  /** Overrides the campaign's `fraud.velocity` (tests). */
  velocityLimit?: number;
  velocityWindowHours?: number;
}

type Publishable = ProjectEvent;
/** One validated event at `at`. */
const event = <N extends EventName>(name: N, at: string, detail: Omit<EventInput<N>, 'occurredAt'>): Publishable => projectEvent(name, { occurredAt: at, ...detail } as EventInput<N>);

/** The referral code on a reward event: it keys the reward back to its ask in the report. */
const codeOf = (e: Pick<LedgerEntry, 'referralCode'>): { referralCode?: string } => (e.referralCode ? { referralCode: e.referralCode } : {});

const latestOf = (entries: readonly LedgerEntry[]): LedgerEntry | undefined => entries.reduce<LedgerEntry | undefined>((a, e) => (a === undefined || e.seq > a.seq ? e : a), undefined);

const summary = (e: LedgerEntry): RewardSummary => ({ rewardId: e.rewardId, beneficiary: e.beneficiary, beneficiaryId: e.beneficiaryId, state: e.state, amountMinor: e.amountMinor, currency: e.currency });

/** The latest entry of each reward in `entries`. */
export function currentRewards(entries: readonly LedgerEntry[]): LedgerEntry[] {
  const latest = new Map<string, LedgerEntry>();
  for (const e of entries) if ((latest.get(e.rewardId)?.seq ?? 0) < e.seq) latest.set(e.rewardId, e);
  return [...latest.values()];
}

/**
 * Move a reward one step: read its latest entry, check the transition, append the next seq. Losing the conditional
 * append to a concurrent writer (or a replay) is not an error: the entry that won is returned.
 */
export async function step(ledger: RewardLedger, advocateId: string, rewardId: string, ev: RewardEvent, at: string, patch: Partial<LedgerEntry> = {}): Promise<{ moved: boolean; entry: LedgerEntry | undefined }> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const latest = latestOf(await ledger.history(advocateId, rewardId));
    if (!latest || !canTransition(latest.state, ev)) return { moved: false, entry: latest };
    const next: LedgerEntry = { ...latest, ...patch, seq: latest.seq + 1, state: transition(latest.state, ev), at };
    if (next.state !== 'held') delete next.holdUntil;
    if (patch.reason === undefined) delete next.reason;
    if (await ledger.append(next)) return { moved: true, entry: next };
  }
  return { moved: false, entry: latestOf(await ledger.history(advocateId, rewardId)) };
}

// ---------------------------------------------------------------------------------------------------------------
// Attribution inputs

async function touchesFor(input: ConversionInput, deps: ConversionDeps): Promise<Touch[]> {
  const touches: Touch[] = [];
  const fromClick = (c: ClickRecord): Touch => ({ rule: 'click_id', referralCode: c.referralCode, campaignId: c.campaignId, advocateId: c.advocateId, at: c.at, clickId: c.clickId });
  if (input.clickId) {
    const click = await deps.store.click(input.clickId, input.referralCode);
    if (click) touches.push(fromClick(click));
  }
  if (input.referralCode) {
    const owner = await deps.store.codeOwner(input.referralCode);
    if (owner) {
      const hash = input.emailHash ?? (input.email ? emailHashOf(input.email) : undefined);
      const leads = hash ? (await deps.store.leads(input.referralCode)).filter((l) => emailHashOf(l.email) === hash) : [];
      for (const lead of leads) {
        // The landing page bound a click id to the lead on our server: that is the strongest evidence there is.
        const click = lead.clickId && lead.clickId !== input.clickId ? await deps.store.click(lead.clickId, input.referralCode) : undefined;
        if (click) touches.push(fromClick(click));
        touches.push({ rule: 'cookie', referralCode: input.referralCode, campaignId: owner.campaignId, advocateId: owner.customerId, at: lead.at, ...(lead.clickId ? { clickId: lead.clickId } : {}) });
      }
      if (leads.length === 0) {
        // A code carried from the landing URL/cookie without a lead, or typed at signup: it counts at the conversion.
        touches.push({ rule: input.codeSource === 'typed' ? 'typed_code' : 'cookie', referralCode: input.referralCode, campaignId: owner.campaignId, advocateId: owner.customerId, at: input.occurredAt });
      }
    }
  }
  return input.campaignId ? touches.filter((t) => t.campaignId === input.campaignId) : touches;
}

async function policies(touches: readonly Touch[], campaigns: CampaignRepository): Promise<Map<string, Campaign>> {
  const out = new Map<string, Campaign>();
  for (const id of new Set(touches.map((t) => t.campaignId))) {
    const c = await campaigns.get(id);
    if (c) out.set(id, c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rewards

interface SettleContext {
  campaign: Campaign;
  reasons: readonly string[];
  conversionId: string;
  refereeId: string;
  at: string;
  events: Publishable[];
}

/**
 * Drive one pending reward: fraud reasons -> review; the advocate's cap -> voided (or a smaller amount); the campaign
 * budget (conditional spend); otherwise held until the refund window ends. When the budget cannot take it, a promised
 * reward (`promised`: its ask quoted it) is still held and paid, flagged `overrun` with a `referral.budget.overrun`
 * event for the alarm; only a reward nobody was promised is parked `over_budget`.
 */
async function settle(deps: Pick<ConversionDeps, 'ledger'>, pending: LedgerEntry, ctx: SettleContext): Promise<LedgerEntry> {
  const { ledger } = deps;
  const { campaign, at } = ctx;
  if (pending.state !== 'pending') return pending;
  if (ctx.reasons.length > 0) {
    const r = await step(ledger, pending.advocateId, pending.rewardId, 'flag', at, { reason: `fraud: ${ctx.reasons.join(', ')}` });
    return r.entry ?? pending;
  }
  let amountMinor = pending.amountMinor;
  if (pending.beneficiary === 'advocate') {
    const earned = currentRewards(await ledger.entries(pending.advocateId))
      .filter((e) => e.beneficiary === 'advocate' && e.rewardId !== pending.rewardId && LIVE_STATES.has(e.state))
      .map((e) => ({ amountMinor: e.amountMinor, at: firstAt(e) }));
    const cap = capCheck(campaign.reward.perAdvocateCap, earned, new Date(at), amountMinor, pending.currency);
    if (!cap.allowed) {
      const r = await step(ledger, pending.advocateId, pending.rewardId, 'void', at, { reason: `cap: ${cap.reason ?? 'per-advocate cap reached'}` });
      if (r.entry?.state === 'voided') ctx.events.push(event('referral.reward.voided', at, { rewardId: pending.rewardId, campaignId: campaign.id, ...codeOf(pending), customerId: pending.beneficiaryId, reason: r.entry.reason ?? 'cap', previousState: 'pending', amountMinor: pending.amountMinor, currency: pending.currency }));
      return r.entry ?? pending;
    }
    amountMinor = cap.allowedMinor;
  }
  let overrunMinor = 0;
  let overrun = false;
  if (amountMinor > 0 && pending.promised && !(await ledger.spend(campaign.id, amountMinor, campaign.budget.amountMinor))) {
    overrun = true;
    overrunMinor = await ledger.spendPromised(campaign.id, amountMinor, campaign.budget.amountMinor);
    ctx.events.push(event('referral.budget.overrun', at, { campaignId: campaign.id, rewardId: pending.rewardId, amountMinor, overrunMinor, budgetMinor: campaign.budget.amountMinor, currency: campaign.budget.currency }));
  } else if (amountMinor > 0 && !pending.promised && !(await ledger.spend(campaign.id, amountMinor, campaign.budget.amountMinor))) {
    const r = await step(ledger, pending.advocateId, pending.rewardId, 'exceed', at, { amountMinor, reason: `budget: ${budgetMoney(campaign, amountMinor)} would exceed the campaign budget of ${budgetMoney(campaign, campaign.budget.amountMinor)}` });
    if (r.entry?.state === 'over_budget') {
      await ledger.putParked({ campaignId: campaign.id, advocateId: pending.advocateId, rewardId: pending.rewardId, amountMinor, at });
      ctx.events.push(event('referral.reward.overrun', at, { rewardId: pending.rewardId, campaignId: campaign.id, ...codeOf(pending), customerId: pending.beneficiaryId, beneficiary: pending.beneficiary, amountMinor, currency: pending.currency }));
    }
    return r.entry ?? pending;
  }
  const until = holdUntil(at, campaign.reward.holdDays);
  // The marker goes first: a crash after it leaves a marker the approver skips, never a held reward nobody approves.
  await ledger.putHold({ advocateId: pending.advocateId, rewardId: pending.rewardId, holdUntil: until });
  const reason = overrun
    ? `budget overrun: promised reward paid although the campaign's commitments pass its budget of ${budgetMoney(campaign, campaign.budget.amountMinor)} (${budgetMoney(campaign, overrunMinor)} of it beyond the budget in money)`
    : amountMinor < pending.amountMinor
      ? 'capped: part of the reward was over the per-advocate cap'
      : undefined;
  const r = await step(ledger, pending.advocateId, pending.rewardId, 'hold', at, { amountMinor, holdUntil: until, spent: amountMinor > 0, ...(overrun ? { overrun: true } : {}), ...(reason ? { reason } : {}) });
  if (!r.moved && amountMinor > 0) await ledger.release(campaign.id, amountMinor); // lost a race after spending: give it back
  if (r.entry?.state === 'held') ctx.events.push(event('referral.reward.held', at, { rewardId: pending.rewardId, campaignId: campaign.id, ...codeOf(pending), customerId: pending.beneficiaryId, beneficiary: pending.beneficiary, amountMinor: r.entry.amountMinor, currency: r.entry.currency, holdUntil: r.entry.holdUntil ?? until }));
  return r.entry ?? pending;
}

/** When a reward was earned: `earnedAt` travels along every entry; fall back to the entry's own time. */
const firstAt = (e: LedgerEntry): string => e.earnedAt ?? e.at;

async function earnRewards(
  deps: ConversionDeps,
  input: ConversionInput,
  ctx: { campaign: Campaign; touch: Touch; conversionId: string; at: string; events: Publishable[]; quote: RewardQuote; promised: boolean; askId: string | undefined; advocate: AdvocateRecord },
): Promise<{ rewards: LedgerEntry[]; reasons: FraudReason[]; fresh: boolean }> {
  const { campaign, touch, conversionId, at, advocate, quote } = ctx;
  // The ledger books exactly what the ask quoted (core/quote.ts): the same amounts every message and page showed.
  const planned: LedgerEntry[] = [
    { rewardId: rewardIdFor(campaign.id, 'advocate', input.externalCustomerId), beneficiary: 'advocate', beneficiaryId: advocate.id, amountMinor: quote.advocate.amountMinor, currency: quote.advocate.currency, tierLabel: quote.tierLabel } as LedgerEntry,
    ...(quote.friend ? [{ rewardId: rewardIdFor(campaign.id, 'friend', input.externalCustomerId), beneficiary: 'friend', beneficiaryId: input.externalCustomerId, amountMinor: quote.friend.amountMinor, currency: quote.friend.currency } as LedgerEntry] : []),
  ].map((p) => ({ ...p, seq: 1, state: 'pending' as const, advocateId: advocate.id, campaignId: campaign.id, conversionId, referralCode: touch.referralCode, at, earnedAt: at, ...(ctx.promised ? { promised: true } : {}) }) as LedgerEntry);

  // Fraud: evaluated once, before anything is paid.
  const windowMs = (deps.velocityWindowHours ?? campaign.fraud.velocity.windowHours) * 3_600_000;
  const advocateEntries = await deps.ledger.entries(advocate.id);
  const recentConversions = new Set(advocateEntries.filter((e) => e.seq === 1 && e.beneficiary === 'advocate' && e.rewardId !== planned[0]!.rewardId && Date.parse(at) - Date.parse(e.at) < windowMs).map((e) => e.conversionId)).size;
  const since = await deps.store.existingCustomerSince(input.externalCustomerId);
  const alreadyCustomer = since !== undefined && input.externalCustomerId !== advocate.id && Date.parse(`${since}T00:00:00Z`) < Date.parse(touch.at) - DAY_MS;
  const reasons = fraudReasons({
    advocate: { customerId: advocate.id, ...(advocate.email ? { email: advocate.email } : {}), ...(advocate.paymentFingerprint ? { paymentFingerprint: advocate.paymentFingerprint } : {}) },
    referee: { externalCustomerId: input.externalCustomerId, ...(input.email ? { email: input.email } : {}), ...(input.paymentFingerprint ? { paymentFingerprint: input.paymentFingerprint } : {}), alreadyCustomer },
    recentConversions,
    velocityLimit: deps.velocityLimit ?? campaign.fraud.velocity.maxConversions,
    disposableDomains: typeof deps.disposableDomains === 'function' ? await deps.disposableDomains() : deps.disposableDomains,
  });
  if (!reasons.includes('self_referral_email') && input.emailHash && advocate.email && emailHashOf(advocate.email) === input.emailHash) reasons.push('self_referral_email');

  const out: LedgerEntry[] = [];
  let fresh = false;
  for (const p of planned) {
    const wrote = await deps.ledger.append(p);
    if (wrote && p.beneficiary === 'advocate') {
      // A rewarded referral: counted for the observed rate, and the ask's reservation makes way for the real spend
      // (once per ask; a replay finds it converted already).
      await deps.ledger.countConversion(campaign.id);
      const reserved = ctx.askId ? await deps.store.consumeReservation(ctx.askId) : 0;
      if (reserved > 0) await deps.ledger.unreserve(campaign.id, reserved);
    }
    const latest = latestOf(await deps.ledger.history(advocate.id, p.rewardId)) ?? p;
    if (wrote) fresh = true;
    // At least once: no outcome is stored for this conversion yet, so an earlier attempt's events may not have gone out.
    if (latest.conversionId === conversionId) {
      ctx.events.push(event('referral.reward.earned', at, { rewardId: p.rewardId, campaignId: campaign.id, ...codeOf(p), beneficiary: p.beneficiary, customerId: p.beneficiaryId, amountMinor: p.amountMinor, currency: p.currency }));
    }
    // Only this conversion's reward is driven on (a crash after the pending entry is picked up by the replay).
    out.push(latest.state === 'pending' && latest.conversionId === conversionId ? await settle(deps, latest, { campaign, reasons, conversionId, refereeId: input.externalCustomerId, at, events: ctx.events }) : latest);
  }
  if (reasons.length > 0 && out.some((e) => e.state === 'review' && e.conversionId === conversionId)) {
    await deps.ledger.putReview({ conversionId, campaignId: campaign.id, advocateId: advocate.id, refereeId: input.externalCustomerId, rewardIds: planned.map((p) => p.rewardId), reasons, at });
    ctx.events.push(event('referral.fraud.flagged', at, { conversionId, campaignId: campaign.id, reasons }));
  }
  const advocateReward = out.find((e) => e.beneficiary === 'advocate');
  if (advocateReward && advocateReward.conversionId === conversionId && reasons.length === 0) await deps.store.countSuccessfulReferral(advocate.id, advocateReward.rewardId);
  return { rewards: out, reasons, fresh };
}

// ---------------------------------------------------------------------------------------------------------------
// The entry points

/**
 * Record one conversion (webhook or event). A replayed idempotency key returns the first outcome (`replayed: true`)
 * and changes nothing. Of several concurrent identical deliveries exactly one is first (`replayed: false`): the one
 * whose outcome record is written (a conditional put); the others answer the stored outcome with `replayed: true`.
 */
export async function recordConversion(deps: ConversionDeps, input: ConversionInput, now: Date): Promise<ConversionResult & { replayed: boolean }> {
  const prior = await deps.store.outcome(input.idempotencyKey);
  if (prior) return { ...prior, replayed: true };
  const at = now.toISOString();
  const conversionId = conversionIdFor(input.idempotencyKey);
  const events: Publishable[] = [];
  const result = input.type === 'refund' ? await refund(deps, input, conversionId, at, events) : await convert(deps, input, conversionId, at, events);
  await deps.publisher.publish(events);
  const first = await deps.store.saveOutcome(input.idempotencyKey, result, at);
  if (first) return { ...result, replayed: false };
  // A concurrent twin stored its outcome first: that one is the answer, and this delivery is its replay.
  const stored = await deps.store.outcome(input.idempotencyKey);
  return { ...(stored ?? result), replayed: true };
}

async function convert(deps: ConversionDeps, input: ConversionInput, conversionId: string, at: string, events: Publishable[]): Promise<ConversionResult> {
  const base = { conversionId, type: input.type, rewards: [], fraudReasons: [] };
  const touches = await touchesFor(input, deps);
  const campaigns = await policies(touches, deps.campaigns);
  const policyFor = (id: string): AttributionPolicy | undefined => campaigns.get(id)?.attribution;
  const decision = attribute(touches, input.occurredAt, policyFor);
  if (!decision.attributed) return { ...base, status: 'unattributed', note: decision.reason === 'outside_window' ? 'every touch is outside the attribution window' : 'no known click or referral code' };
  const { touch, rule } = decision;
  const campaign = campaigns.get(touch.campaignId)!;
  const attributed = { ...base, rule, referralCode: touch.referralCode, campaignId: campaign.id, advocateId: touch.advocateId, ...(touch.clickId ? { clickId: touch.clickId } : {}) };
  const emailHash = input.emailHash ?? (input.email ? emailHashOf(input.email) : undefined);
  const claim = await deps.store.claimReferee({ campaignId: campaign.id, externalCustomerId: input.externalCustomerId, ...(emailHash ? { emailHash } : {}), advocateId: touch.advocateId, referralCode: touch.referralCode, rule, conversionId, at });
  const record: ConversionRecord = {
    conversionId, type: input.type, status: 'recorded', referralCode: touch.referralCode, campaignId: campaign.id, advocateId: touch.advocateId, externalCustomerId: input.externalCustomerId, rule,
    ...(touch.clickId ? { clickId: touch.clickId } : {}), ...(input.amountMinor !== undefined ? { amountMinor: input.amountMinor } : {}), ...(input.currency ? { currency: input.currency } : {}), occurredAt: input.occurredAt, at,
    idempotencyKey: input.idempotencyKey,
  };
  if (claim.status === 'other_advocate' || claim.status === 'other_person') {
    await deps.store.putConversion({ ...record, status: 'duplicate_referee' });
    const note = claim.status === 'other_advocate' ? 'the referee is already credited to another advocate' : 'another customer id already holds this email for this campaign';
    return { ...attributed, status: 'duplicate_referee', note };
  }
  await deps.store.putConversion(record);
  events.push(event('referral.conversion.recorded', at, { conversionId, referralCode: touch.referralCode, campaignId: campaign.id, type: input.type, refereeId: input.externalCustomerId, ...(input.orderId ? { orderId: input.orderId } : {}), ...(input.amountMinor !== undefined ? { amountMinor: input.amountMinor } : {}), ...(input.currency ? { currency: input.currency } : {}) }));
  if (!QUALIFYING_TYPES.has(input.type)) return { ...attributed, status: 'recorded' };
  const advocate = await deps.store.advocate(touch.advocateId);
  if (!advocate) return { ...attributed, status: 'recorded', note: 'the advocate is no longer a customer: no reward' };
  const owner = await deps.store.codeOwner(touch.referralCode);
  const ask = owner ? await deps.store.ask(owner.askId) : undefined;
  // Asks made before quotes were stored: their recorded years, and the referral tier the advocate has now.
  const quote = quoteOf(ask ?? { milestone: {} }, campaign, { successfulReferrals: advocate.successfulReferrals });
  const { rewards, reasons, fresh } = await earnRewards(deps, input, { campaign, touch, conversionId, at, events, quote, promised: ask?.quote !== undefined, askId: owner?.askId, advocate });
  const mine = rewards.filter((r) => r.conversionId === conversionId);
  return {
    ...attributed,
    status: 'recorded',
    rewards: mine.map(summary),
    fraudReasons: mine.length ? reasons : [],
    ...(fresh || mine.length ? {} : { note: 'a reward was already earned for this referee: not credited twice' }),
  };
}

/** Claw back every live reward of the refunded referee (also after issue), returning budget that was spent. */
export async function voidRewards(deps: Pick<ConversionDeps, 'ledger'>, rewards: ReadonlyArray<{ advocateId: string; rewardId: string }>, reason: string, at: string, events: Publishable[]): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for (const { advocateId, rewardId } of rewards) {
    const history = await deps.ledger.history(advocateId, rewardId);
    const latest = latestOf(history);
    if (!latest) continue;
    const ev: RewardEvent = latest.state === 'review' ? 'reject' : 'void';
    const r = await step(deps.ledger, advocateId, rewardId, ev, at, { reason });
    if (r.moved && r.entry) {
      if (latest.spent && latest.amountMinor > 0) await deps.ledger.release(latest.campaignId, latest.amountMinor);
      if (latest.state === 'held' && latest.holdUntil) await deps.ledger.deleteHold({ advocateId, rewardId, holdUntil: latest.holdUntil });
    }
    // At least once: also when an earlier attempt voided it but failed before its events went out.
    if (r.entry?.state === 'voided') {
      // The state it left (a clawback when "issued"): this step's, or on a replay the entry before the voided one.
      const prior = r.moved ? latest : history.find((e) => e.seq === r.entry!.seq - 1);
      events.push(event('referral.reward.voided', at, { rewardId, campaignId: r.entry.campaignId, ...codeOf(r.entry), customerId: r.entry.beneficiaryId, reason: r.entry.reason ?? reason, ...(prior ? { previousState: prior.state } : {}), amountMinor: r.entry.amountMinor, currency: r.entry.currency }));
    }
    if (r.entry) out.push(r.entry);
  }
  return out;
}

async function refund(deps: ConversionDeps, input: ConversionInput, conversionId: string, at: string, events: Publishable[]): Promise<ConversionResult> {
  const claims = (await deps.store.claimsOf(input.externalCustomerId)).filter((c) => !input.campaignId || c.campaignId === input.campaignId);
  const base = { conversionId, type: input.type, rewards: [], fraudReasons: [] };
  if (claims.length === 0) return { ...base, status: 'refund_unmatched', note: 'no referral is known for this customer' };
  const voided: LedgerEntry[] = [];
  for (const claim of claims) {
    const ids = (['advocate', 'friend'] as const).map((side) => ({ advocateId: claim.advocateId, rewardId: rewardIdFor(claim.campaignId, side, input.externalCustomerId) }));
    voided.push(...(await voidRewards(deps, ids, `refund${input.orderId ? ` of order ${input.orderId}` : ''}`, at, events)));
    // A refunded referral is no longer a successful one: the advocate's referral tier counts it no more.
    await deps.store.uncountSuccessfulReferral(claim.advocateId, ids[0]!.rewardId);
    const record: ConversionRecord = { conversionId, type: 'refund', status: 'refunded', referralCode: claim.referralCode, campaignId: claim.campaignId, advocateId: claim.advocateId, externalCustomerId: input.externalCustomerId, ...(input.amountMinor !== undefined ? { amountMinor: input.amountMinor } : {}), ...(input.currency ? { currency: input.currency } : {}), occurredAt: input.occurredAt, at };
    await deps.store.putConversion(record);
    events.push(event('referral.conversion.recorded', at, { conversionId, referralCode: claim.referralCode, campaignId: claim.campaignId, type: 'refund', refereeId: input.externalCustomerId, ...(input.orderId ? { orderId: input.orderId } : {}), ...(input.amountMinor !== undefined ? { amountMinor: input.amountMinor } : {}), ...(input.currency ? { currency: input.currency } : {}) }));
  }
  const first = claims[0]!;
  return { ...base, status: 'refunded', referralCode: first.referralCode, campaignId: first.campaignId, advocateId: first.advocateId, rule: first.rule, rewards: voided.map(summary) };
}

/** The scheduled approver: held rewards whose refund window ended -> approved -> issued (`referral.reward.issued`). */
export async function approveDueRewards(deps: Pick<ConversionDeps, 'ledger' | 'publisher'>, now: Date): Promise<{ examined: number; approved: number; issued: number; skipped: number }> {
  const at = now.toISOString();
  const counts = { examined: 0, approved: 0, issued: 0, skipped: 0 };
  const kept: HoldMarker[] = [];
  for (const marker of await deps.ledger.dueHolds(now)) {
    counts.examined += 1;
    const events: Publishable[] = [];
    const latest = latestOf(await deps.ledger.history(marker.advocateId, marker.rewardId));
    const movable = latest !== undefined && (latest.state === 'held' || latest.state === 'approved' || latest.state === 'issued');
    if (latest && movable && (latest.state !== 'held' || Date.parse(latest.holdUntil ?? at) <= now.getTime())) {
      // The marker is deleted only after the events went out, so a marker found here means they may not have:
      // the events follow the reward's resulting state (at least once), the counts what this run moved.
      if (latest.state === 'held') {
        const a = await step(deps.ledger, marker.advocateId, marker.rewardId, 'approve', at);
        if (a.moved) counts.approved += 1;
      }
      const i = await step(deps.ledger, marker.advocateId, marker.rewardId, 'issue', at);
      if (i.moved) counts.issued += 1;
      if (i.entry?.state === 'issued') {
        const e = i.entry;
        const detail = { rewardId: e.rewardId, campaignId: e.campaignId, ...codeOf(e), customerId: e.beneficiaryId, amountMinor: e.amountMinor, currency: e.currency };
        events.push(event('referral.reward.approved', at, detail), event('referral.reward.issued', at, detail));
      }
    } else if (latest?.state === 'held') {
      kept.push(marker); // not due yet (a marker filed under an earlier day by a clock-skewed writer): keep it
      continue;
    } else counts.skipped += 1;
    await deps.publisher.publish(events);
    await deps.ledger.deleteHold(marker);
  }
  await deps.ledger.holdsHandled?.(now, kept);
  return counts;
}

/**
 * Parked over-budget rewards whose campaign budget now has room (a refund gave money back, or the marketer raised the
 * budget): cleared to pending and settled again (cap, budget, hold). Only tried when the budget looks sufficient, so a
 * reward still short of budget is not moved back and forth every run.
 */
export async function retryParkedRewards(deps: Pick<ConversionDeps, 'ledger' | 'campaigns' | 'publisher'>, now: Date): Promise<{ examined: number; resumed: number }> {
  const at = now.toISOString();
  const counts = { examined: 0, resumed: 0 };
  for (const campaign of await deps.campaigns.list()) {
    for (const marker of await deps.ledger.parked(campaign.id)) {
      counts.examined += 1;
      const latest = latestOf(await deps.ledger.history(marker.advocateId, marker.rewardId));
      if (latest?.state !== 'over_budget') {
        await deps.ledger.deleteParked(marker);
        continue;
      }
      if (!budgetCheck(campaign.budget, await deps.ledger.spentMinor(campaign.id), latest.amountMinor).allowed) continue;
      const events: Publishable[] = [];
      const cleared = await step(deps.ledger, marker.advocateId, marker.rewardId, 'clear', at, { reason: 'budget: room again' });
      const settled = cleared.entry?.state === 'pending' ? await settle(deps, cleared.entry, { campaign, reasons: [], conversionId: cleared.entry.conversionId, refereeId: '', at, events }) : cleared.entry;
      await deps.publisher.publish(events);
      if (settled?.state !== 'over_budget') {
        await deps.ledger.deleteParked(marker);
        counts.resumed += 1;
      }
    }
  }
  return counts;
}

/** What the hourly reward schedule does: approve and issue held rewards that are due, then resume parked ones. */
export async function runRewardSchedule(deps: Pick<ConversionDeps, 'ledger' | 'publisher'> & Partial<Pick<ConversionDeps, 'campaigns'>>, now: Date) {
  const approved = await approveDueRewards(deps, now);
  const parked = deps.campaigns ? await retryParkedRewards({ ...deps, campaigns: deps.campaigns }, now) : { examined: 0, resumed: 0 };
  return { ...approved, parkedExamined: parked.examined, parkedResumed: parked.resumed };
}

export type ReviewDecision = 'approve' | 'reject';

/** `asks review approve|reject <conversionId>`: clear (back to pending, then cap, budget, hold) or void both rewards. */
export async function decideReview(deps: ConversionDeps, conversionId: string, decision: ReviewDecision, now: Date): Promise<{ item: ReviewItem; rewards: LedgerEntry[] } | undefined> {
  const item = await deps.ledger.getReview(conversionId);
  if (!item) return undefined;
  const at = now.toISOString();
  const events: Publishable[] = [];
  const out: LedgerEntry[] = [];
  const campaign = await deps.campaigns.get(item.campaignId);
  if (decision === 'reject' || !campaign) {
    out.push(...(await voidRewards(deps, item.rewardIds.map((rewardId) => ({ advocateId: item.advocateId, rewardId })), campaign ? 'review: rejected' : 'review: campaign no longer exists', at, events)));
  } else {
    for (const rewardId of item.rewardIds) {
      const cleared = await step(deps.ledger, item.advocateId, rewardId, 'clear', at, { reason: 'review: approved' });
      const entry = cleared.entry;
      if (!entry) continue;
      out.push(entry.state === 'pending' ? await settle(deps, entry, { campaign, reasons: [], conversionId, refereeId: item.refereeId, at, events }) : entry);
      if (entry.beneficiary === 'advocate') await deps.store.countSuccessfulReferral(item.advocateId, rewardId);
    }
  }
  await deps.publisher.publish(events);
  await deps.ledger.deleteReview(conversionId);
  return { item, rewards: out };
}

/** What an advocate's status page needs: every reward with its current state, and totals by state. */
export async function advocateRewards(ledger: Pick<RewardLedger, 'entries'>, advocateId: string): Promise<{ rewards: LedgerEntry[]; byState: Partial<Record<RewardState, { count: number; totals: Money[] }>> }> {
  const rewards = currentRewards(await ledger.entries(advocateId)).sort((a, b) => firstAt(a).localeCompare(firstAt(b)));
  const byState: Partial<Record<RewardState, { count: number; totals: Money[] }>> = {};
  const advocate = rewards.filter((x) => x.beneficiary === 'advocate');
  for (const state of new Set(advocate.map((r) => r.state))) {
    const inState = advocate.filter((r) => r.state === state);
    // Per currency: amounts in different currencies are never added.
    byState[state] = { count: inState.length, totals: sumByCurrency(inState) };
  }
  return { rewards, byState };
}
