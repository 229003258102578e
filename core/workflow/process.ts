// ProcessBatch: read a batch's segments (each due customer exactly once), decide every customer, claim the ask with a
// conditional put, mint the code and signed links, render, send through the channel port, record the outcome.
// Everything outside comes in through ports, so this runs the same in Lambda, in `npm start` and in tests.
import type { Clock, ChannelSender, EventPublisher, IdGenerator, Keyring, OutboundMessage, ProgramSource, TemplateSource, CampaignRepository } from '../ports.js';
import { brandContext, type BrandContext } from '../brand.js';
import type { Program } from '../schemas/program.js';
import type { Renderer } from '../render.js';
import { buildAskContext, renderAsk } from '../render.js';
import { Ask as AskSchema, type Ask, type AskStatus, type MilestoneOccurrence, type SkipReason } from '../schemas/ask.js';
import type { Campaign } from '../schemas/campaign.js';
import { isDateMilestoneKind } from '../schemas/campaign.js';
import type { Channel } from '../schemas/common.js';
import type { BatchResult, Counts, ProcessBatchInput, Run, Segment } from '../schemas/workflow.js';
import { projectEvent, type ProjectEvent } from '../schemas/events.js';
import { dateMilestoneOn, localDateIn, type DateTrigger } from '../milestones.js';
import { evaluateEligibility, recordAsk, type EligibilityDecision } from '../eligibility.js';
import { selectTenureTier, tenureTierLabel } from '../rewards.js';
import { askReservationMinor, BatchReservation, budgetMoney, BudgetPlanner, conversionRate, reservationExpiresAt, reservationLapsed, type BudgetStore } from '../budget.js';
import { quoteFor, type RewardQuote } from '../quote.js';
import { shortLinkId, signToken } from '../links.js';
import { SMS_FIT_DATA_KEY, smsFitFor } from '../sms.js';
import { NotFoundError, PermanentSendError, sendOutcomeUnknown, ValidationError } from '../errors.js';
import { fromWallTime, parseIsoDate } from '../zoned-time.js';
import type { AskWriter, BatchJournal, CodeIssuer, CustomerReader, DueAskReader, DueCustomer, PendingMilestone, PendingReader, ShortLinkWriter, SuppressionReader } from './ports.js';
import { PENDING_INDEX } from './plan.js';
import { askIsDue, CLAIM_LEASE_MS, countKeyOf, DUE_ASK_BUCKETS_PER_READ, DUE_ASKS_INDEX, isSentStatus, parseDueAskRange } from './recovery.js';

export interface ProcessDeps {
  campaigns: CampaignRepository;
  customers: CustomerReader;
  pending?: PendingReader;
  asks: AskWriter;
  /** The due-asks index (deferred asks now due, claims whose worker died): read when the run plans it. */
  dueAsks?: DueAskReader;
  suppressions: SuppressionReader;
  codes: CodeIssuer;
  budget: BudgetStore;
  senders: Partial<Record<Channel, ChannelSender>>;
  events: EventPublisher;
  keyring: () => Promise<Keyring>;
  templates: TemplateSource | Renderer;
  clock: Clock;
  ids: IdGenerator;
  publicBaseUrl: string;
  company?: { name: string; address: string };
  /** The program file: brand, sender and postal address of every message. */
  program?: ProgramSource;
  /** Short SMS links (`/k/<id>`); without it an SMS carries the share page's long link. */
  shortLinks?: ShortLinkWriter;
  /** Customers decided at once inside one batch (sends overlap; the SES rate bounds it in the cloud). */
  concurrency?: number;
  /** The batch's journal, written before its first claim (a batch whose process dies is counted from it later). */
  journal?: BatchJournal;
  /** Called before each customer is handled (tests use it to crash a batch half way). */
  beforeCustomer?: (customerId: string, index: number) => void | Promise<void>;
}

interface Entry {
  customer: DueCustomer;
  occurrence: MilestoneOccurrence | null;
  segment: Segment;
  pending?: PendingMilestone;
  /** The stored ask when the entry comes from the due-asks index (deferred, or a claim whose lease ended). */
  stored?: Ask;
}

/**
 * What a lost claim counts as: `already_asked` only when a message went out; a live claim is `in_flight`. An ask this
 * very batch of this execution decided (an earlier attempt of a retried batch, which counted nothing) counts as what
 * it became: `sent`, `held_out`, `failed`.
 */
function existingOutcome(existing: AskStatus | undefined, sameBatch = false): string {
  if (existing === 'claimed') return 'in_flight';
  if (sameBatch && existing) return countKeyOf({ status: existing }) ?? 'in_flight';
  if (existing === 'sent' || existing === 'delivered' || existing === 'bounced' || existing === 'complained') return 'skipped:already_asked' satisfies `skipped:${SkipReason}`;
  return `already_${existing ?? 'decided'}`;
}

/**
 * What the run counts for a due occurrence that already has the ask `existing` (`asks plan` counts the same): the
 * run's claim (adapters/dynamo/asks.ts) loses to a sent, held-out or failed ask and to a live claim, and the count is
 * `existingOutcome`'s (`skipped:already_asked`, `already_held_out`, `in_flight`, ...). Undefined when the run decides
 * the occurrence afresh: no ask, a skipped or deferred one, or a claim older than the lease at `now` without a send
 * marker.
 */
export function decidedOutcome(existing: Pick<Ask, 'status' | 'updatedAt' | 'sendState'> | undefined, now: Date): string | undefined {
  if (!existing || existing.status === 'skipped' || existing.status === 'deferred') return undefined;
  if (existing.status === 'claimed' && existing.sendState === undefined && Date.parse(existing.updatedAt) < now.getTime() - CLAIM_LEASE_MS) return undefined;
  return existingOutcome(existing.status);
}

/** Error names that mean "try the batch again": the claim is released so the retry can send. */
function isPermanent(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'PermanentSendError' || name === 'ValidationError';
}

function bump(counts: Counts, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

function maxWindowDays(campaign: Campaign): number {
  return Math.max(campaign.eligibility.frequencyCap.windowDays, campaign.eligibility.cooldownDays, 1);
}

/** Whether a pending threshold milestone is one this campaign celebrates (kind and threshold). */
export function thresholdMatches(campaign: Campaign, record: Pick<PendingMilestone, 'kind' | 'threshold'>): boolean {
  const m = campaign.milestone;
  if (m.kind !== record.kind) return false;
  switch (m.kind) {
    case 'nth_purchase':
      return m.thresholds.map(String).includes(record.threshold);
    case 'spend_threshold':
      return m.thresholdsMinor.map(String).includes(record.threshold);
    case 'tier_reached':
      return m.tiers.includes(record.threshold);
    case 'project_completed':
      return Number(record.threshold) % m.every === 0;
    default:
      return false;
  }
}

/**
 * When the decision is taken. Hour mode: the scheduled instant. Day mode (a whole local day at once, `asks run` and
 * `npm start`): the send hour on the customer's local date, as if each zone's hourly run had fired.
 */
export function decisionTime(campaign: Campaign, run: Run, customer: DueCustomer, localDate: string): Date {
  if (run.mode === 'hour' || !isDateMilestoneKind(campaign.milestone.kind)) return new Date(run.at);
  const date = parseIsoDate(localDate);
  const local = date && fromWallTime({ ...date, hour: campaign.schedule.sendHour }, customer.timezone);
  return local ? new Date(local.ts) : new Date(run.at);
}

/** Read the batch's segments in order until `limit` customers; the rest goes back as continuation. */
async function readBatch(input: ProcessBatchInput, campaign: Campaign, deps: ProcessDeps): Promise<{ entries: Entry[]; continuation: Segment[]; counts: Counts }> {
  const { batch, run } = input;
  const entries: Entry[] = [];
  const continuation: Segment[] = [];
  const counts: Counts = {};
  let remaining = batch.limit;
  for (let i = 0; i < batch.segments.length; i += 1) {
    let segment = batch.segments[i]!;
    if (remaining <= 0) {
      continuation.push(...batch.segments.slice(i));
      break;
    }
    for (;;) {
      let lastKey: Record<string, unknown> | undefined;
      if (segment.index === DUE_ASKS_INDEX) {
        if (!deps.dueAsks) throw new ValidationError(`campaign ${campaign.id}: the run reads due asks but no due-ask reader is wired`);
        // One segment walks the hour buckets of the lookback window, all read at once (one round trip; most are empty);
        // cursor { hour, key }.
        const { campaignId, hours } = parseDueAskRange(segment.partition);
        const cursor = segment.startKey as { hour?: string; key?: Record<string, unknown> } | undefined;
        const first = Math.max(0, cursor?.hour ? hours.indexOf(cursor.hour) : 0);
        const window = hours.slice(first, first + DUE_ASK_BUCKETS_PER_READ);
        const pages = await Promise.all(
          window.map((hour, i) => deps.dueAsks!.queryDueAsks({ partition: `${campaignId}#${hour}`, ...(i === 0 && cursor?.key ? { startKey: cursor.key } : {}), limit: remaining })),
        );
        const read: Ask[] = [];
        lastKey = first + window.length < hours.length ? { hour: hours[first + window.length] } : undefined;
        for (let i = 0; i < window.length; i += 1) {
          const page = pages[i]!;
          // A later bucket that does not fit is read again from its start by the continuation.
          if (i > 0 && read.length + page.items.length > remaining) {
            lastKey = { hour: window[i] };
            break;
          }
          read.push(...page.items);
          if (page.lastKey) {
            lastKey = { hour: window[i], key: page.lastKey };
            break;
          }
        }
        remaining -= read.length;
        const due = read.filter((a) => askIsDue(a, run));
        const customers = new Map((await deps.customers.getMany([...new Set(due.map((a) => a.customerId))])).map((c) => [c.id, c]));
        for (const stored of due) {
          const customer = customers.get(stored.customerId);
          if (!customer) {
            bump(counts, 'unknown_customer');
            continue;
          }
          entries.push({ customer, segment, stored: AskSchema.parse(stored), occurrence: stored.milestone });
        }
      } else if (segment.index === PENDING_INDEX) {
        if (!deps.pending) throw new ValidationError(`campaign ${campaign.id}: threshold milestones need the pending milestone reader`);
        const page = await deps.pending.queryPending({ day: segment.partition, startKey: segment.startKey, limit: remaining });
        remaining -= page.items.length;
        lastKey = page.lastKey;
        const due = page.items.filter((r) => thresholdMatches(campaign, r) && r.dueAt <= run.at);
        const customers = new Map((await deps.customers.getMany([...new Set(due.map((r) => r.customerId))])).map((c) => [c.id, c]));
        for (const record of due) {
          const customer = customers.get(record.customerId);
          if (!customer) {
            bump(counts, 'unknown_customer');
            continue;
          }
          const threshold = /^\d+$/.test(record.threshold) ? Number(record.threshold) : record.threshold;
          entries.push({
            customer,
            segment,
            pending: record,
            occurrence: { kind: record.kind as MilestoneOccurrence['kind'], occurrenceId: record.occurrenceId, occurredOn: localDateIn(new Date(record.occurredAt), customer.timezone), threshold },
          });
        }
      } else {
        const page = await deps.customers.queryDue({ index: segment.index, partition: segment.partition, startKey: segment.startKey, limit: remaining });
        remaining -= page.items.length + page.invalid.length;
        if (page.invalid.length) bump(counts, 'invalid_customer', page.invalid.length);
        lastKey = page.lastKey;
        for (const customer of page.items) {
          const occurrence = dateMilestoneOn(customer, campaign.milestone as DateTrigger, segment.localDate);
          entries.push({ customer, segment, occurrence });
        }
      }
      if (!lastKey) break;
      segment = { ...segment, startKey: lastKey };
      if (remaining <= 0) {
        continuation.push(segment, ...batch.segments.slice(i + 1));
        return { entries, continuation, counts };
      }
    }
  }
  return { entries, continuation, counts };
}

function addressesToCheck(customer: DueCustomer): string[] {
  if (customer.optOut || customer.doNotAsk) return [];
  const out: string[] = [];
  if (customer.email && customer.consents?.email) out.push(customer.email.trim().toLowerCase());
  if (customer.phone && customer.consents?.sms) out.push(customer.phone);
  return out;
}

/** Run one batch. Throws ThrottlingError/TransientError (the state machine retries the batch; claims make it safe). */
export async function processBatch(input: ProcessBatchInput, deps: ProcessDeps): Promise<BatchResult> {
  const { run, batch } = input;
  const campaign = await deps.campaigns.get(run.campaignId);
  if (!campaign) throw new NotFoundError(`campaign "${run.campaignId}" is not in the campaign files`);
  const { entries, continuation, counts } = await readBatch(input, campaign, deps);

  const due = entries.filter((e) => {
    if (e.occurrence) return true;
    bump(counts, 'not_due');
    return false;
  });
  // One suppression lookup for the whole batch (BatchGet on S#<address>), only for addresses a channel could use.
  const suppressed = await deps.suppressions.suppressed([...new Set(due.flatMap((e) => addressesToCheck(e.customer)))]);
  // The budget rule (core/budget.ts), as `asks plan` applies it: from one read of the budget, in read order, the asks
  // that fit; each then reserves with a conditional update (never past the budget, whatever other batches do).
  const budget = await deps.budget.state(campaign.id);
  const rate = conversionRate(campaign.budget, budget).rate;
  const planner = new BudgetPlanner(campaign.budget.amountMinor, budget.committedMinor);
  // A customer due twice in one batch (two thresholds crossed at once) is asked once: the later occurrence sees the
  // earlier ask in the history, so cooldown and caps hold within the batch as they do across runs.
  const askedInBatch = new Map<string, string[]>();
  const decided = due.map((entry) => {
    const d = decide(entry, campaign, run, suppressed, rate, planner, askedInBatch.get(entry.customer.id) ?? []);
    if (d.decision.outcome === 'ask') askedInBatch.set(entry.customer.id, [...(askedInBatch.get(entry.customer.id) ?? []), d.decidedAt.toISOString()]);
    return d;
  });
  // The journal before the first claim: if this process dies, a later run counts these asks from their records.
  const carried = await deps.journal?.openBatch(run, batch.batchId, due.map((e) => ({ customerId: e.customer.id, occurrenceId: e.occurrence!.occurrenceId })), deps.clock.now().toISOString());
  for (const [key, n] of Object.entries(carried ?? {})) bump(counts, key, n);
  // What the planned asks reserve, taken for the whole batch in one conditional update (BatchReservation); a stale
  // claim settled by its send marker reserves nothing.
  const reservations = await BatchReservation.open(
    deps.budget,
    campaign.id,
    campaign.budget.amountMinor,
    decided.filter((d, i) => d.decision.outcome === 'ask' && !settlesByMarker(due[i]!)).map((d) => d.reserveMinor),
  );
  // The codes repeat advocates already have for this campaign: one read for the batch instead of a write per ask.
  const askers = decided.flatMap((d, i) => (d.decision.outcome === 'ask' && !settlesByMarker(due[i]!) ? [due[i]!.customer.id] : []));
  const codes = askers.length > 0 && deps.codes.known ? await deps.codes.known(askers, campaign.id) : new Map<string, string>();
  const keyring = await deps.keyring();
  const program = await deps.program?.get();
  const brand = program ? brandContext(program, deps.publicBaseUrl) : undefined;

  const outbox: ProjectEvent[] = [];
  const flush = async (all: boolean): Promise<void> => {
    while (outbox.length >= 10 || (all && outbox.length > 0)) await deps.events.publish(outbox.splice(0, 10));
  };

  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < due.length) {
      const index = next;
      next += 1;
      const entry = due[index]!;
      try {
        await deps.beforeCustomer?.(entry.customer.id, index);
        const outcome = await handleCustomer(entry, decided[index]!, { campaign, run, batchId: batch.batchId, deps, suppressed, keyring, outbox, program, brand, reservations, codes });
        bump(counts, outcome);
        if (outbox.length >= 10) await flush(false);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 4, due.length)) }, worker));
  } finally {
    // What no ask of the batch used goes back to the budget (also when the batch fails).
    await reservations.close();
  }
  // Events of asks already sent go out even when the batch fails: the retry will not send those asks again.
  await flush(true);
  if (failure !== undefined) throw failure;
  return { batchId: batch.batchId, counts, continuation, failed: false };
}

/** A due customer decided: eligibility, the quote (decided once, here) and what the ask would reserve. */
interface Decided {
  decision: EligibilityDecision;
  decidedAt: Date;
  milestone: MilestoneOccurrence;
  quote: RewardQuote;
  reserveMinor: number;
}

/** Decide one due customer (pure): eligibility, then the budget rule on the batch's plan of the budget. */
function decide(entry: Entry, campaign: Campaign, run: Run, suppressed: Set<string>, rate: number, planner: BudgetPlanner, askedInBatch: string[] = []): Decided {
  const { customer } = entry;
  // An ask read back from the due-asks index is decided when it is due: now.
  const decidedAt = entry.stored ? new Date(run.at) : decisionTime(campaign, run, customer, entry.segment.localDate);
  // The reward is decided once, here: the ask stores the quote and every message, page and the ledger read it back.
  const { milestone, quote } = entry.stored?.quote ? { milestone: entry.stored.milestone, quote: entry.stored.quote } : quoteFor(campaign, customer, entry.occurrence!);
  let decision: EligibilityDecision = evaluateEligibility({
    campaign,
    customer,
    history: {
      lastAskAt: [customer.lastAskAt, ...askedInBatch].filter((t): t is string => t !== undefined).sort().pop(),
      recentAskAts: [...(customer.recentAskAts ?? []), ...askedInBatch],
    },
    suppressed: {
      email: customer.email !== undefined && suppressed.has(customer.email.trim().toLowerCase()),
      phone: customer.phone !== undefined && suppressed.has(customer.phone),
    },
    now: decidedAt,
  });
  // A sent ask read back only to give its lapsed reservation back is not asked again: it plans nothing.
  const sweep = entry.stored !== undefined && isSentStatus(entry.stored.status);
  const reserveMinor = decision.outcome === 'ask' && !sweep ? askReservationMinor(quote, rate) : 0;
  if (decision.outcome === 'ask' && !sweep && !planner.reserve(reserveMinor)) {
    decision = { outcome: 'skip', reason: 'budget_exhausted', detail: `reserving ${budgetMoney(campaign, reserveMinor)} would pass the budget of ${budgetMoney(campaign, campaign.budget.amountMinor)} (${budgetMoney(campaign, planner.committedMinor)} committed)` };
  }
  return { decision, decidedAt, milestone, quote, reserveMinor };
}

interface Ctx {
  campaign: Campaign;
  run: Run;
  batchId: string;
  deps: ProcessDeps;
  suppressed: Set<string>;
  keyring: Keyring;
  outbox: ProjectEvent[];
  program: Program | undefined;
  brand: BrandContext | undefined;
  reservations: BatchReservation;
  /** Codes the batch's advocates already have for the campaign (by customer id). */
  codes: Map<string, string>;
}

/** A claim whose worker died after its send marker was written: settled by the marker, not decided again. */
function settlesByMarker(entry: Entry): boolean {
  return entry.stored?.status === 'claimed' && entry.stored.channel !== undefined && entry.stored.sendState !== undefined;
}

/** The execution and batch that write an ask (they count it). */
function ownership(run: Run, batchId: string): Pick<Ask, 'executionId' | 'batchId'> {
  return run.executionId ? { executionId: run.executionId, batchId } : {};
}

/** Decide, claim, and (for an ask) send. Returns the count key of the outcome. */
async function handleCustomer(entry: Entry, decided: Decided, ctx: Ctx): Promise<string> {
  const { campaign, run, deps } = ctx;
  const { customer } = entry;
  const occurrence = entry.occurrence!;
  const nowIso = deps.clock.now().toISOString();
  const askId = `${customer.id}~${occurrence.occurrenceId}`;
  const handledNow = async (): Promise<void> => {
    if (entry.pending) await deps.pending!.markHandled(customer.id, entry.pending.sk, nowIso);
  };
  const { decidedAt, milestone, quote } = decided;
  let { decision } = decided;
  // A sent ask whose attribution window ended with its reservation still open: the reservation goes back to the budget.
  if (entry.stored && isSentStatus(entry.stored.status)) {
    if (!reservationLapsed(entry.stored, run.at) || !deps.asks.expireReservation) return 'settled_elsewhere';
    const minor = await deps.asks.expireReservation(customer.id, occurrence.occurrenceId, nowIso);
    if (minor > 0) await deps.budget.unreserve(campaign.id, minor);
    return minor > 0 ? 'reservation_expired' : 'settled_elsewhere';
  }
  /** Sent with an open reservation: it lapses at the end of the attribution window after the send. */
  const lapse = (sentAt: string, open: boolean): Partial<Ask> => (open ? { campaignId: campaign.id, reservationExpiresAt: reservationExpiresAt(sentAt, campaign.attribution.windowDays) } : {});

  // The report's dimensions, on every ask event (analytics/README.md).
  const dims = {
    askId,
    campaignId: campaign.id,
    customerId: customer.id,
    // Known from the profile: the publisher then swaps the customer id for it without a lookup (docs/privacy.md).
    ...(customer.subjectId ? { subjectId: customer.subjectId } : {}),
    milestoneKind: occurrence.kind,
    milestoneOn: occurrence.occurredOn,
    tenureTier: tenureTierLabel(selectTenureTier(campaign.reward, quote.tenureYears)),
    cohortMonth: customer.signupDate.slice(0, 7),
    // Day mode: the run's own date (its record's), whatever local send hour the customer was decided at.
    runDate: run.mode === 'day' && run.runDate ? run.runDate : localDateIn(decidedAt, campaign.schedule.timezone),
    ...(decision.outcome === 'holdout' || decision.outcome === 'ask' ? { variantId: decision.variantId } : {}),
  };
  // A claim whose worker died: its send marker (on the ask) says whether the channel was called. No marker: it
  // provably never was, so the ask is decided afresh below. A marker: sent (recorded now) or unknown (failed, never
  // resent); the settling execution and batch own the ask from here (they count it; the dead batch's journal does not).
  const stale = settlesByMarker(entry) ? entry.stored : undefined;
  if (stale) {
    if (stale.sendState === 'sent' && stale.messageId) {
      if (!(await deps.asks.settle(stale, { status: 'sent', runId: run.runId, ...ownership(run, ctx.batchId), messageId: stale.messageId, updatedAt: nowIso, ...lapse(nowIso, stale.reservation === 'open') }))) return 'settled_elsewhere';
      const history = recordAsk({ lastAskAt: customer.lastAskAt, recentAskAts: customer.recentAskAts ?? [] }, new Date(nowIso), maxWindowDays(campaign));
      await deps.customers.recordAsk(customer.id, nowIso, history.recentAskAts);
      await handledNow();
      ctx.outbox.push(projectEvent('referral.ask.sent', { occurredAt: nowIso, ...dims, variantId: stale.variantId ?? dims.variantId ?? '', channel: stale.channel!, ...(stale.referralCode ? { referralCode: stale.referralCode } : {}) }));
      return 'sent';
    }
    const why = stale.sendReason ?? 'the worker stopped after calling the channel';
    if (!(await deps.asks.settle(stale, { status: 'failed', runId: run.runId, ...ownership(run, ctx.batchId), error: `send outcome unknown (${why}); not resent`.slice(0, 500), updatedAt: nowIso }))) return 'settled_elsewhere';
    // The customer may have the message: cooldown and caps count it.
    await deps.customers.recordAsk(customer.id, nowIso, recordAsk({ lastAskAt: customer.lastAskAt, recentAskAts: customer.recentAskAts ?? [] }, new Date(nowIso), maxWindowDays(campaign)).recentAskAts);
    await handledNow();
    return 'failed';
  }
  // The reservation itself: from the batch's reservation (one conditional update for the batch), else its own
  // conditional update, so a batch running at the same time can never take both past the budget.
  let reservedFrom: 'pool' | 'own' | undefined;
  const reservedMinor = decided.reserveMinor;
  if (decision.outcome === 'ask') {
    reservedFrom = await ctx.reservations.take(reservedMinor);
    if (!reservedFrom) decision = { outcome: 'skip', reason: 'budget_exhausted', detail: `reserving ${budgetMoney(campaign, decided.reserveMinor)} would pass the budget of ${budgetMoney(campaign, campaign.budget.amountMinor)} (another batch took the room)` };
  }
  const reserved = reservedFrom !== undefined;
  const unreserve = async (): Promise<void> => {
    if (reservedFrom) await ctx.reservations.giveBack(reservedMinor, reservedFrom);
    reservedFrom = undefined;
  };
  const base: Ask = { askId, customerId: customer.id, campaignId: campaign.id, runId: run.runId, ...ownership(run, ctx.batchId), milestone, status: 'claimed', createdAt: nowIso, updatedAt: nowIso };
  const claimToken = deps.ids.id(16);
  let ask: Ask;
  let outcome: string;
  switch (decision.outcome) {
    case 'skip':
      ask = { ...base, status: 'skipped', skipReason: decision.reason, ...(decision.detail ? { error: decision.detail } : {}) };
      outcome = `skipped:${decision.reason}`;
      break;
    case 'defer':
      ask = { ...base, status: 'deferred', deferredUntil: decision.until };
      outcome = 'deferred';
      break;
    case 'holdout':
      ask = { ...base, status: 'held_out', variantId: decision.variantId };
      outcome = 'held_out';
      break;
    case 'ask':
      ask = { ...base, status: 'claimed', variantId: decision.variantId, channel: decision.channel, channelReason: decision.channelReason, quote, ...(reserved ? { reservedMinor, reservation: 'open' as const } : {}) };
      outcome = 'sent';
      break;
  }
  let claim: Awaited<ReturnType<AskWriter['claim']>>;
  try {
    claim = await deps.asks.claim(ask, claimToken);
  } catch (error) {
    await unreserve();
    throw error;
  }
  const { claimed, existing, existingExecutionId, existingBatchId, takenOverReservationMinor } = claim;
  // A dead worker's claim taken over: its reservation goes back (this claim made its own, or none).
  if (claimed && takenOverReservationMinor) await deps.budget.unreserve(campaign.id, takenOverReservationMinor, { uncount: true });
  const handled = async (): Promise<void> => {
    // A deferred threshold ask leaves the pending index once the due-asks index holds it.
    if (decision.outcome !== 'defer' || deps.dueAsks) await handledNow();
  };
  if (!claimed) {
    await unreserve();
    await handled();
    // A due ask read from the index that somebody decided meanwhile (another read of this run, or index lag): no outcome of its own.
    return entry.stored ? 'settled_elsewhere' : existingOutcome(existing, run.executionId !== undefined && existingExecutionId === run.executionId && existingBatchId === ctx.batchId);
  }
  if (decision.outcome !== 'ask') {
    await handled();
    const at = nowIso;
    if (decision.outcome === 'skip') ctx.outbox.push(projectEvent('referral.ask.skipped', { occurredAt: at, ...dims, reason: decision.reason }));
    else if (decision.outcome === 'defer') ctx.outbox.push(projectEvent('referral.ask.deferred', { occurredAt: at, ...dims, until: decision.until }));
    else ctx.outbox.push(projectEvent('referral.ask.held_out', { occurredAt: at, ...dims }));
    return outcome;
  }

  let sent = false;
  try {
    const variant = campaign.variants.find((v) => v.id === decision.variantId)!;
    const code = await deps.codes.ensure({ customerId: customer.id, campaignId: campaign.id, askId, firstName: customer.firstName }, nowIso, ctx.codes.get(customer.id));
    const base64 = (p: Parameters<typeof signToken>[0]): string => signToken(p, ctx.keyring);
    const url = deps.publicBaseUrl.replace(/\/+$/, '');
    const shareToken = base64({ p: 'share', c: customer.id, k: campaign.id, o: occurrence.occurrenceId, r: code });
    // An SMS carries a short link on the same domain (/k/<id> -> the share page) instead of the long token.
    const shortSms = decision.channel === 'sms' && deps.shortLinks !== undefined;
    if (shortSms) await deps.shortLinks!.put(shortLinkId(askId, ctx.keyring), shareToken, nowIso);
    const shareUrl = shortSms ? `${url}/k/${shortLinkId(askId, ctx.keyring)}` : `${url}/s/${shareToken}`;
    const links = {
      shareUrl,
      referralUrl: `${url}/r/${code}`,
      unsubscribeUrl: `${url}/u/${base64({ p: 'unsub', c: customer.id, k: campaign.id })}`,
      preferencesUrl: `${url}/p/${base64({ p: 'prefs', c: customer.id })}`,
      statusUrl: `${url}/me/${base64({ p: 'status', c: customer.id, k: campaign.id, o: occurrence.occurrenceId, r: code })}`,
      termsUrl: `${url}/t/${campaign.id}`,
    };
    const context = buildAskContext({ campaign, variant, customer, milestone, quote, links, ...(deps.company ? { company: deps.company } : {}), ...(ctx.brand ? { brand: ctx.brand } : {}), ...(ctx.program ? { defaultLocale: ctx.program.defaultLocale } : {}) });
    const channel = decision.channel;
    const rendered = await renderAsk(deps.templates, campaign, variant, channel, context);
    const message: OutboundMessage = {
      askId,
      customerId: customer.id,
      campaignId: campaign.id,
      channel,
      idempotencyKey: `${askId}#${channel}`,
      to:
        channel === 'account_manager'
          ? { email: customer.accountManager?.email, name: customer.accountManager?.name }
          : { email: customer.email, phone: customer.phone, name: [customer.firstName, customer.lastName].filter(Boolean).join(' ') },
      ...(ctx.program ? { from: { name: ctx.program.sender.name, address: ctx.program.sender.address }, ...(ctx.program.replyTo ? { replyTo: ctx.program.replyTo } : {}) } : {}),
      ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
      ...(rendered.preheader !== undefined ? { preheader: rendered.preheader } : {}),
      ...(rendered.html !== undefined ? { html: rendered.html } : {}),
      text: rendered.text,
      shareUrl,
      ...(channel === 'email' || channel === 'sms' ? { unsubscribeUrl: links.unsubscribeUrl } : {}),
      data: {
        ...(channel === 'sms' ? { [SMS_FIT_DATA_KEY]: smsFitFor(campaign, customer.firstName, context) } : {}),
        shareMessage: rendered.shareMessage, referralUrl: links.referralUrl, statusUrl: links.statusUrl, variantId: variant.id, timezone: customer.timezone, ...(customer.subjectId ? { subjectId: customer.subjectId } : {}), ...(customer.country ? { country: customer.country } : {}), ...(customer.accountManager ? { accountManager: customer.accountManager } : {}) },
    };
    const sender = deps.senders[channel];
    if (!sender) throw new PermanentSendError(`no sender configured for channel ${channel}`);
    const { messageId } = await sender.send(message);
    sent = true;
    const sentAt = deps.clock.now().toISOString();
    // The ask's send marker says `sending` until this update records `sent` (the adapter tries it a few times).
    await deps.asks.complete(customer.id, occurrence.occurrenceId, claimToken, { status: 'sent', messageId, referralCode: code, updatedAt: sentAt, ...lapse(sentAt, reserved) });
    const history = recordAsk({ lastAskAt: customer.lastAskAt, recentAskAts: customer.recentAskAts ?? [] }, new Date(sentAt), maxWindowDays(campaign));
    await deps.customers.recordAsk(customer.id, sentAt, history.recentAskAts);
    await handled();
    ctx.outbox.push(projectEvent('referral.ask.sent', { occurredAt: sentAt, ...dims, channel, variantId: variant.id, referralCode: code }));
    return 'sent';
  } catch (error) {
    if (sent) throw error; // sent but not recorded: keep the claim so nobody sends twice; the lease expiry re-examines it
    // Not sent: the reservation goes back to the budget.
    const released = reserved ? { reservation: 'released' as const } : {};
    await unreserve();
    if (isPermanent(error)) {
      const message = error instanceof Error ? error.message : String(error);
      const failedAt = deps.clock.now().toISOString();
      await deps.asks.complete(customer.id, occurrence.occurrenceId, claimToken, { status: 'failed', error: message.slice(0, 500), updatedAt: failedAt, ...released });
      // An earlier attempt may have reached the customer: cooldown and caps count it as an ask.
      if (sendOutcomeUnknown(error)) await deps.customers.recordAsk(customer.id, failedAt, recordAsk({ lastAskAt: customer.lastAskAt, recentAskAts: customer.recentAskAts ?? [] }, new Date(failedAt), maxWindowDays(campaign)).recentAskAts);
      await handled();
      ctx.outbox.push(projectEvent('referral.ask.failed', { occurredAt: failedAt, ...dims, channel: decision.channel, error: message.slice(0, 200) }));
      return 'failed';
    }
    // A channel that may not send now (SMS quiet hours) but later: the ask waits, the batch goes on.
    const until = (error as { name?: string; until?: unknown }).until;
    if ((error as Error).name === 'SendDeferredError' && typeof until === 'string') {
      const deferredAt = deps.clock.now().toISOString();
      await deps.asks.complete(customer.id, occurrence.occurrenceId, claimToken, { status: 'deferred', campaignId: campaign.id, deferredUntil: until, updatedAt: deferredAt, ...released });
      ctx.outbox.push(projectEvent('referral.ask.deferred', { occurredAt: deferredAt, ...dims, channel: decision.channel, until }));
      if (deps.dueAsks) await handled();
      return 'deferred';
    }
    // Retryable (or unexpected): give the claim back so the batch retry can send this ask.
    await deps.asks
      .complete(customer.id, occurrence.occurrenceId, claimToken, { status: 'deferred', campaignId: campaign.id, deferredUntil: nowIso, error: `released after ${(error as Error).name ?? 'error'}`, updatedAt: deps.clock.now().toISOString(), ...released })
      .catch(() => undefined);
    throw error;
  }
}

