// CloudWatch metrics derived from project events (emitted as Powertools EMF by the publisher in the Lambdas), plus
// the ask outcomes ProcessBatch emits itself. The dashboard and the alarms use only these names: a test ties each
// dashboard metric to its emitter.
import { SKIP_REASONS } from '../schemas/ask.js';
import type { ProjectEvent } from '../schemas/events.js';

export const METRICS_NAMESPACE = 'ReferralAsks';
export const METRICS_SERVICE = 'referral-asks';

/** Emitted by ProcessBatch from its counts (functions/workflow/handlers.ts). */
export const ASK_OUTCOME_METRICS = ['AsksSent', 'AsksHeldOut', 'AsksSkipped', 'AsksDeferred', 'AsksFailed'] as const;
/** One per skip reason, emitted by ProcessBatch: "AsksSkipped.cooldown". */
export const skipReasonMetric = (reason: string): string => `AsksSkipped.${reason}`;
export const SKIP_REASON_METRICS = SKIP_REASONS.map(skipReasonMetric);

export interface MetricPoint {
  name: string;
  value: number;
  unit: 'Count' | 'None';
}

const DELIVERY: Record<string, string> = { delivered: 'Deliveries', bounced: 'Bounces', complained: 'Complaints', opened: 'Opens' };
const CONVERSION: Record<string, string> = { signup: 'Signups', purchase: 'Purchases', refund: 'Refunds' };
const SIMPLE: Partial<Record<string, string>> = {
  'referral.share.viewed.v1': 'ShareViews',
  'referral.share.recorded.v1': 'Shares',
  'referral.click.recorded.v1': 'Clicks',
  'referral.lead.recorded.v1': 'Leads',
  'referral.reward.earned.v1': 'RewardsEarned',
  'referral.reward.held.v1': 'RewardsHeld',
  'referral.reward.approved.v1': 'RewardsApproved',
  'referral.reward.issued.v1': 'RewardsIssued',
  'referral.reward.voided.v1': 'RewardsVoided',
  'referral.reward.overrun.v1': 'RewardsOverBudget',
  /** A promised reward paid although the campaign's commitments pass its budget (core/budget.ts): alarmed. */
  'referral.budget.overrun.v1': 'BudgetOverruns',
  'customer.order.completed.v1': 'CustomerOrders',
};

/** Reward amounts in minor units, one metric per currency ("RewardAmountIssued.EUR"): never summed across currencies. */
export const rewardAmountMetric = (state: 'Earned' | 'Issued', currency: string): string => `RewardAmount${state}.${currency}`;

/** The metric points one batch of events stands for (ask events excepted: ProcessBatch counts those). Pure. */
export function metricsFor(events: readonly ProjectEvent[]): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const e of events) {
    const d = e.detail as Record<string, unknown>;
    const simple = SIMPLE[e.detailType];
    if (simple) out.push({ name: simple, value: 1, unit: 'Count' });
    if (e.detailType === 'referral.delivery.recorded.v1') out.push({ name: DELIVERY[String(d.status)]!, value: 1, unit: 'Count' });
    if (e.detailType === 'referral.conversion.recorded.v1') out.push({ name: CONVERSION[String(d.type)]!, value: 1, unit: 'Count' });
    if ((e.detailType === 'referral.reward.earned.v1' || e.detailType === 'referral.reward.issued.v1') && typeof d.amountMinor === 'number' && typeof d.currency === 'string') {
      out.push({ name: rewardAmountMetric(e.detailType === 'referral.reward.earned.v1' ? 'Earned' : 'Issued', d.currency), value: d.amountMinor, unit: 'None' });
    }
    if (e.detailType === 'referral.run.completed.v1') out.push({ name: 'BatchesFailed', value: Number((d.totals as Record<string, number>).batch_failed ?? 0), unit: 'Count' });
  }
  return out;
}
