// Eligibility: whether a due customer is asked now, held out, deferred past quiet hours or skipped (with the reason),
// applying the rules in the fixed order of SKIP_REASONS so every skip is explainable and reproducible.
import type { Campaign } from './schemas/campaign.js';
import type { Channel } from './schemas/common.js';
import type { AskHistory, Customer } from './schemas/customer.js';
import type { SkipReason } from './schemas/ask.js';
import { chooseChannel } from './channels.js';
import { describePredicate, firstFailing } from './predicates.js';
import { assignVariant, isHeldOut } from './assignment.js';
import { ValidationError } from './errors.js';
import { inZone, plusDays, withWall } from './zoned-time.js';

const DAY_MS = 86_400_000;

export type EligibilityDecision =
  | { outcome: 'ask'; channel: Channel; channelReason: string; variantId: string }
  | { outcome: 'holdout'; variantId: string }
  | { outcome: 'defer'; until: string; reason: 'quiet_hours' }
  | { outcome: 'skip'; reason: SkipReason; detail?: string };

export interface EligibilityInput {
  campaign: Campaign;
  customer: Customer;
  history: AskHistory;
  suppressed: { email?: boolean; phone?: boolean };
  now: Date;
  /** An ask for this milestone occurrence exists already. */
  alreadyAsked?: boolean;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * When quiet hours hold at `now` in `zone`, the UTC instant they end; otherwise undefined. A window whose start is
 * after its end crosses midnight (21:00-08:00); start == end means no quiet hours.
 */
export function quietHoursEnd(quiet: { start: string; end: string }, now: Date, zone: string): string | undefined {
  const local = inZone(now, zone);
  if (!local) throw new ValidationError(`timezone "${zone}" is not a known IANA zone`);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const t = local.hour * 60 + local.minute;
  const inside = start < end ? t >= start && t < end : start > end ? t >= start || t < end : false;
  if (!inside) return undefined;
  const endDay = start > end && t >= start ? plusDays(local, 1) : local;
  // A wall time that DST skips moves forward, so the deferral never lands inside a gap.
  const until = withWall(endDay, { hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  return new Date(until.ts).toISOString();
}

function latestAsk(history: AskHistory): number | undefined {
  const times = [history.lastAskAt, ...(history.recentAskAts ?? [])].filter((t): t is string => t !== undefined).map(Date.parse).filter(Number.isFinite);
  return times.length ? Math.max(...times) : undefined;
}

function asksWithin(history: AskHistory, now: Date, windowDays: number): number {
  const from = now.getTime() - windowDays * DAY_MS;
  return (history.recentAskAts ?? []).map(Date.parse).filter((t) => t > from && t <= now.getTime()).length;
}

/** Decide one customer for one campaign. Pure: everything it needs comes in with the input. */
export function evaluateEligibility(input: EligibilityInput): EligibilityDecision {
  const { campaign, customer, history, now } = input;
  const skip = (reason: SkipReason, detail?: string): EligibilityDecision => (detail === undefined ? { outcome: 'skip', reason } : { outcome: 'skip', reason, detail });

  if (campaign.status !== 'active') return skip('campaign_inactive', `campaign status is ${campaign.status}`);
  if (customer.optOut) return skip('opted_out');
  if (customer.doNotAsk) return skip('do_not_ask');

  const choice = chooseChannel({ campaign, customer, suppressed: input.suppressed });
  if ('skip' in choice) return skip(choice.skip, choice.detail);

  const failing = firstFailing(campaign.audience.all, customer);
  if (failing) return skip('audience_mismatch', describePredicate(failing));

  const refundDays = campaign.audience.excludeRefundWithinDays;
  if (refundDays !== undefined && customer.lastRefundAt !== undefined) {
    const refundAt = Date.parse(customer.lastRefundAt);
    if (now.getTime() - refundAt < refundDays * DAY_MS) return skip('recent_refund', `refund at ${customer.lastRefundAt}`);
  }
  if (campaign.audience.excludeOpenSupportTicket && customer.openSupportTicket) return skip('open_support_ticket');

  const { cooldownDays, frequencyCap, quietHours, holdoutPercent } = campaign.eligibility;
  const last = latestAsk(history);
  if (cooldownDays > 0 && last !== undefined && now.getTime() - last < cooldownDays * DAY_MS) {
    return skip('cooldown', `last ask at ${new Date(last).toISOString()}`);
  }
  const recent = asksWithin(history, now, frequencyCap.windowDays);
  if (recent >= frequencyCap.maxAsks) return skip('frequency_cap', `${recent} asks in ${frequencyCap.windowDays} days`);

  if (quietHours) {
    const until = quietHoursEnd(quietHours, now, customer.timezone);
    if (until !== undefined) return { outcome: 'defer', until, reason: 'quiet_hours' };
  }

  const variantId = assignVariant(campaign.id, customer.id, campaign.variants);
  if (isHeldOut(campaign.id, customer.id, holdoutPercent)) return { outcome: 'holdout', variantId };

  // budget_exhausted comes after this: the budget rule (core/budget.ts) reserves for an ask the rules allow.
  if (input.alreadyAsked) return skip('already_asked');

  return { outcome: 'ask', channel: choice.channel, channelReason: choice.reason, variantId };
}

/** The history with asks older than `windowDays` dropped from recentAskAts (sorted, oldest first). */
export function pruneAskHistory(history: AskHistory, now: Date, windowDays: number): AskHistory {
  const from = now.getTime() - windowDays * DAY_MS;
  const recentAskAts = (history.recentAskAts ?? []).filter((t) => Date.parse(t) > from).sort();
  return history.lastAskAt === undefined ? { recentAskAts } : { lastAskAt: history.lastAskAt, recentAskAts };
}

/** The history after an ask at `now`, pruned to the longest frequency window in use. */
export function recordAsk(history: AskHistory, now: Date, maxWindowDays: number): AskHistory {
  const at = now.toISOString();
  // A late retry must not move lastAskAt backwards.
  const lastAskAt = history.lastAskAt !== undefined && Date.parse(history.lastAskAt) > now.getTime() ? history.lastAskAt : at;
  return pruneAskHistory({ lastAskAt, recentAskAts: [...(history.recentAskAts ?? []), at] }, now, maxWindowDays);
}
