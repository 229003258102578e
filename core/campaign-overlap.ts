// Which milestone occurrences two campaigns would both decide. An ask is keyed by the customer's occurrence
// (`<kind>#<year>` for a date milestone, `<kind>#<threshold>` for a threshold: core/milestones.ts, core/thresholds.ts),
// not by campaign, so of two active campaigns that share one, only the first to decide it can ask; its audience skip
// counts as a decision too. `asks validate` refuses such a pair.
import type { MilestoneTrigger } from './schemas/campaign.js';
import { isDateMilestoneKind } from './schemas/campaign.js';

const common = <T>(a: readonly T[], b: readonly T[]): T[] => a.filter((x) => b.includes(x));

/**
 * The occurrences both milestones make, described for a person ("signup_anniversary, years 1+", "nth_purchase 10"),
 * or undefined when they share none (another kind, disjoint years or thresholds, spend thresholds in another currency).
 */
export function sharedOccurrences(a: MilestoneTrigger, b: MilestoneTrigger): string | undefined {
  if (a.kind !== b.kind) return undefined;
  if (isDateMilestoneKind(a.kind)) {
    const x = a as Extract<MilestoneTrigger, { minYears: number }>;
    const y = b as Extract<MilestoneTrigger, { minYears: number }>;
    const lo = Math.max(x.minYears, y.minYears);
    const hi = Math.min(x.maxYears ?? Infinity, y.maxYears ?? Infinity);
    return lo <= hi ? `${a.kind}, years ${lo}${hi === Infinity ? '+' : hi === lo ? '' : `-${hi}`}` : undefined;
  }
  const list = (values: Array<string | number>): string | undefined => (values.length > 0 ? `${a.kind} ${values.join(', ')}` : undefined);
  switch (a.kind) {
    case 'nth_purchase':
      return list(common(a.thresholds, (b as typeof a).thresholds));
    case 'spend_threshold': {
      // A customer's spend grows in their one currency and only a campaign in it crosses (core/thresholds.ts), so
      // campaigns in two currencies (one per budget currency, as the schema requires) never decide the same occurrence.
      const other = b as typeof a;
      if (a.currency !== other.currency) return undefined;
      const shared = list(common(a.thresholdsMinor, other.thresholdsMinor));
      return shared && `${shared} (${a.currency})`;
    }
    case 'tier_reached':
      return list(common(a.tiers, (b as typeof a).tiers));
    case 'project_completed':
      // Every project count divisible by both periods is an occurrence of each.
      return `${a.kind} (every project both count)`;
    default:
      return undefined;
  }
}
