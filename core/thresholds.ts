// Threshold milestones: which thresholds a counter change crosses (pure). One order can cross several at once
// (a large order past two spend thresholds); a redelivered event crosses none because before == after.
import type { Campaign, MilestoneTrigger, ThresholdMilestoneKind } from './schemas/campaign.js';
import type { CustomerActivity } from './schemas/events.js';

/** The counters and tier a threshold is measured on, before or after one activity. */
export interface CounterSnapshot {
  orders: number;
  lifetimeSpendMinor: number;
  projectsCompleted: number;
  tier?: string;
  /** The customer's currency: spend thresholds only apply in their own currency. */
  currency?: string;
  /** The customer's signup date (their cohort in the report). */
  signupDate?: string;
}

export interface CrossedThreshold {
  kind: ThresholdMilestoneKind;
  /** "10" (orders), "50000" (minor units), "gold" (tier), "3" (projects). */
  threshold: string;
  /** Stable per customer: an occurrence is asked about at most once. */
  occurrenceId: string;
}

type ThresholdTrigger = Extract<MilestoneTrigger, { kind: ThresholdMilestoneKind }>;

/** `<kind>#<threshold>`: the occurrence a threshold milestone is, for one customer. */
export function thresholdOccurrenceId(kind: ThresholdMilestoneKind, threshold: string): string {
  return `${kind}#${threshold}`;
}

function crossed(values: readonly number[], before: number, after: number): number[] {
  return [...new Set(values)].filter((t) => before < t && t <= after).sort((a, b) => a - b);
}

/** Thresholds of `trigger` crossed by moving from `before` to `after`. */
export function crossedThresholds(trigger: MilestoneTrigger, before: CounterSnapshot, after: CounterSnapshot): CrossedThreshold[] {
  const make = (kind: ThresholdMilestoneKind, threshold: string): CrossedThreshold => ({ kind, threshold, occurrenceId: thresholdOccurrenceId(kind, threshold) });
  switch (trigger.kind) {
    case 'nth_purchase':
      return crossed(trigger.thresholds, before.orders, after.orders).map((t) => make('nth_purchase', String(t)));
    case 'spend_threshold':
      if (after.currency !== undefined && after.currency !== trigger.currency) return [];
      return crossed(trigger.thresholdsMinor, before.lifetimeSpendMinor, after.lifetimeSpendMinor).map((t) => make('spend_threshold', String(t)));
    case 'tier_reached':
      if (after.tier === undefined || after.tier === before.tier || !trigger.tiers.includes(after.tier)) return [];
      return [make('tier_reached', after.tier)];
    case 'project_completed': {
      const out: CrossedThreshold[] = [];
      for (let n = Math.floor(before.projectsCompleted / trigger.every + 1) * trigger.every; n <= after.projectsCompleted; n += trigger.every) {
        if (n > before.projectsCompleted) out.push(make('project_completed', String(n)));
      }
      return out;
    }
    default:
      return [];
  }
}

/** Threshold kinds an activity can move. */
export function kindsMovedBy(activity: CustomerActivity): ThresholdMilestoneKind[] {
  switch (activity.type) {
    case 'order_completed':
      return ['nth_purchase', 'spend_threshold'];
    case 'tier_changed':
      return ['tier_reached'];
    case 'project_completed':
      return ['project_completed'];
  }
}

/** Active campaigns whose milestone an activity can cross. */
export function campaignsFor(activity: CustomerActivity, campaigns: readonly Campaign[]): Array<Campaign & { milestone: ThresholdTrigger }> {
  const kinds = new Set<string>(kindsMovedBy(activity));
  return campaigns.filter((c): c is Campaign & { milestone: ThresholdTrigger } => c.status === 'active' && kinds.has(c.milestone.kind));
}

/** The id that makes an activity idempotent: a redelivered event maps to the same marker. */
export function activityIdOf(activity: CustomerActivity): string {
  switch (activity.type) {
    case 'order_completed':
      return `order#${activity.orderId}`;
    case 'project_completed':
      return `project#${activity.projectId}`;
    case 'tier_changed':
      return `tier#${activity.tier}#${activity.at}`;
  }
}

/** When the ask for a threshold milestone is due: the activity time plus the campaign's delay. */
export function milestoneDueAt(at: string, askDelayHours: number): string {
  return new Date(Date.parse(at) + askDelayHours * 3_600_000).toISOString();
}
