// Why a customer would or would not be asked by a campaign on a date: the run's own decision (the occurrence the run
// would find, the decision time, eligibility with the same inputs ProcessBatch builds), with the facts it rests on.
// Pure: the caller reads the customer, the milestone records, the existing ask, suppressions and spent budget.
import type { Campaign } from '../schemas/campaign.js';
import { isDateMilestoneKind } from '../schemas/campaign.js';
import type { Ask, MilestoneOccurrence } from '../schemas/ask.js';
import { dateMilestoneOn, localDateIn, type DateTrigger } from '../milestones.js';
import { evaluateEligibility, quietHoursEnd, type EligibilityDecision } from '../eligibility.js';
import { askReservationMinor, budgetMoney, conversionRate, fitsBudget, type BudgetState } from '../budget.js';
import { quoteFor } from '../quote.js';
import { isHeldOut } from '../assignment.js';
import { runFor } from './plan.js';
import { decisionTime, thresholdMatches } from './process.js';
import type { DueCustomer, PendingMilestone } from './ports.js';

export type Verdict = 'would_ask' | 'would_hold_out' | 'would_defer' | 'would_skip' | 'already_decided' | 'not_due';

export interface Explanation {
  customerId: string;
  campaignId: string;
  date: string;
  verdict: Verdict;
  /** One sentence a person can read. */
  because: string;
  occurrence?: MilestoneOccurrence;
  /** When the run decides (the send hour on the customer's local date for date milestones). */
  decidedAt?: string;
  decision?: EligibilityDecision;
  existingAsk?: { status: string; skipReason?: string; deferredUntil?: string; runId: string; updatedAt: string };
  facts: {
    timezone: string;
    consents: Record<string, boolean>;
    optOut: boolean;
    doNotAsk: boolean;
    suppressed: { email: boolean; phone: boolean };
    lastAskAt?: string;
    recentAskAts: string[];
    tenureYears?: number;
    potentialCostMinor?: number;
    /** The budget's currency: every `...Minor` fact is in its minor units. */
    currency: string;
    budgetMinor: number;
    /** What the budget rule compares: spent + reserved by open asks (spent alone without a budget item). */
    committedMinor: number;
    spentMinor: number;
    quietHoursUntil?: string;
    heldOut: boolean;
  };
}

export interface ExplainInput {
  campaign: Campaign;
  customer: DueCustomer;
  /** Local date YYYY-MM-DD (date milestones: the customer's local date; threshold milestones: the UTC day the ask is due). */
  date: string;
  /** The customer's threshold milestone records (any state). */
  milestones: readonly PendingMilestone[];
  /** The customer's asks by occurrence id. */
  asks: ReadonlyMap<string, Pick<Ask, 'status' | 'skipReason' | 'deferredUntil' | 'runId' | 'updatedAt'>>;
  suppressed: { email: boolean; phone: boolean };
  spentMinor: number;
  /** The budget item (core/budget.ts); without it, committed = spentMinor and the configured rate. */
  budget?: BudgetState;
}

/** The statuses a rerun decides again (the claim condition in adapters/dynamo/asks.ts takes them over). */
const DECIDED_AGAIN = new Set(['skipped', 'deferred']);

function occurrenceFor(input: ExplainInput): { occurrence: MilestoneOccurrence; at?: string } | undefined {
  const { campaign, customer, date } = input;
  if (isDateMilestoneKind(campaign.milestone.kind)) {
    const occurrence = dateMilestoneOn(customer, campaign.milestone as DateTrigger, date);
    return occurrence ? { occurrence } : undefined;
  }
  // Threshold milestones: the record this campaign celebrates whose ask falls due on `date` (UTC day of dueAt).
  const record = input.milestones.filter((m) => thresholdMatches(campaign, m) && m.dueAt.slice(0, 10) === date).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!record) return undefined;
  const threshold = /^\d+$/.test(record.threshold) ? Number(record.threshold) : record.threshold;
  return {
    occurrence: { kind: record.kind as MilestoneOccurrence['kind'], occurrenceId: record.occurrenceId, occurredOn: localDateIn(new Date(record.occurredAt), customer.timezone), threshold },
    at: record.dueAt,
  };
}

/** Explain the run's decision for one customer, campaign and date. */
export function explainAsk(input: ExplainInput): Explanation {
  const { campaign, customer, date } = input;
  const facts: Explanation['facts'] = {
    timezone: customer.timezone,
    consents: { ...customer.consents } as Record<string, boolean>,
    optOut: customer.optOut,
    doNotAsk: customer.doNotAsk,
    suppressed: input.suppressed,
    ...(customer.lastAskAt ? { lastAskAt: customer.lastAskAt } : {}),
    recentAskAts: customer.recentAskAts ?? [],
    currency: campaign.budget.currency,
    budgetMinor: campaign.budget.amountMinor,
    committedMinor: input.budget?.committedMinor ?? input.spentMinor,
    spentMinor: input.spentMinor,
    heldOut: isHeldOut(campaign.id, customer.id, campaign.eligibility.holdoutPercent),
  };
  const base = { customerId: customer.id, campaignId: campaign.id, date, facts };
  const found = occurrenceFor(input);
  if (!found) {
    const what = isDateMilestoneKind(campaign.milestone.kind)
      ? `no ${campaign.milestone.kind.replace(/_/g, ' ')} on ${date} in ${customer.timezone}`
      : `no ${campaign.milestone.kind.replace(/_/g, ' ')} milestone of this campaign falls due on ${date}`;
    return { ...base, verdict: 'not_due', because: what };
  }
  const { occurrence } = found;
  // The run that decides: day mode at the send hour (date milestones), the due instant (threshold milestones).
  const run = found.at
    ? runFor({ campaignId: campaign.id, at: found.at, mode: 'hour' })
    : runFor({ campaignId: campaign.id, at: `${date}T00:00:00Z`, mode: 'day', runDate: date });
  const decidedAt = decisionTime(campaign, run, customer, date);
  // The quote and the budget rule exactly as the run applies them (core/quote.ts, core/budget.ts).
  const { quote } = quoteFor(campaign, customer, occurrence);
  const cost = askReservationMinor(quote, conversionRate(campaign.budget, input.budget ?? { asks: 0, conversions: 0 }).rate);
  facts.tenureYears = quote.tenureYears;
  facts.potentialCostMinor = cost;
  const quiet = campaign.eligibility.quietHours ? quietHoursEnd(campaign.eligibility.quietHours, decidedAt, customer.timezone) : undefined;
  if (quiet) facts.quietHoursUntil = quiet;
  const existing = input.asks.get(occurrence.occurrenceId);
  const existingAsk = existing
    ? { status: existing.status, runId: existing.runId, updatedAt: existing.updatedAt, ...(existing.skipReason ? { skipReason: existing.skipReason } : {}), ...(existing.deferredUntil ? { deferredUntil: existing.deferredUntil } : {}) }
    : undefined;
  const withOccurrence = { ...base, occurrence, decidedAt: decidedAt.toISOString(), ...(existingAsk ? { existingAsk } : {}) };
  if (existing && !DECIDED_AGAIN.has(existing.status)) {
    return { ...withOccurrence, verdict: 'already_decided', because: `the ask for ${occurrence.occurrenceId} is already ${existing.status} (run ${existing.runId}); a run counts it already_asked` };
  }
  let decision = evaluateEligibility({
    campaign,
    customer,
    history: { lastAskAt: customer.lastAskAt, recentAskAts: customer.recentAskAts ?? [] },
    suppressed: input.suppressed,
    now: decidedAt,
  });
  const committed = input.budget?.committedMinor ?? input.spentMinor;
  if (decision.outcome === 'ask' && !fitsBudget(campaign.budget.amountMinor, committed, cost)) {
    decision = { outcome: 'skip', reason: 'budget_exhausted', detail: `${budgetMoney(campaign, committed)} of ${budgetMoney(campaign, campaign.budget.amountMinor)} committed, this ask would reserve ${budgetMoney(campaign, cost)}` };
  }
  switch (decision.outcome) {
    case 'ask':
      return { ...withOccurrence, decision, verdict: 'would_ask', because: `due (${occurrence.occurrenceId}) and eligible: asked by ${decision.channel} (${decision.channelReason}), variant ${decision.variantId}` };
    case 'holdout':
      return { ...withOccurrence, decision, verdict: 'would_hold_out', because: `due and eligible, but in the ${campaign.eligibility.holdoutPercent}% holdout group (recorded held_out, no message)` };
    case 'defer':
      return { ...withOccurrence, decision, verdict: 'would_defer', because: `due at ${decidedAt.toISOString()}, inside quiet hours: deferred until ${decision.until}` };
    case 'skip':
      return { ...withOccurrence, decision, verdict: 'would_skip', because: `skipped: ${decision.reason}${decision.detail ? ` (${decision.detail})` : ''}` };
  }
}
