// Attribution, pure: which referral (if any) a conversion belongs to. The click id bound on the server wins over the
// cookie-derived lead, which wins over a code typed at signup; every touch must fall inside the campaign's attribution
// window before the conversion; among touches of the same strength the campaign's model picks the first (default) or
// the last one. The rule that decided is returned so it can be recorded on the conversion.
import type { AttributionRule } from './schemas/conversion.js';

const DAY_MS = 86_400_000;
/** A touch stamped a little after the conversion (clock skew between systems) still counts. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export const RULE_STRENGTH: Record<AttributionRule, number> = { click_id: 3, cookie: 2, typed_code: 1 };

export interface Touch {
  rule: AttributionRule;
  referralCode: string;
  campaignId: string;
  advocateId: string;
  /** When the touch happened (click time, lead time; a typed code counts at the conversion time). */
  at: string;
  clickId?: string;
}

export interface AttributionPolicy {
  windowDays: number;
  model: 'first_touch' | 'last_touch';
}

export type AttributionDecision =
  | { attributed: true; touch: Touch; rule: AttributionRule; considered: number }
  | { attributed: false; reason: 'no_touch' | 'outside_window'; considered: number };

/** Whether a touch at `at` may be credited for a conversion at `occurredAt` under a window of `windowDays`. */
export function withinWindow(at: string, occurredAt: string, windowDays: number): boolean {
  const t = Date.parse(at);
  const c = Date.parse(occurredAt);
  if (!Number.isFinite(t) || !Number.isFinite(c)) return false;
  return t <= c + CLOCK_SKEW_MS && c - t <= windowDays * DAY_MS;
}

/**
 * Decide the referral for a conversion at `occurredAt`. `policyFor` gives each touch's campaign policy (window and
 * model); touches outside their window are dropped; the strongest rule present wins; ties go by the model.
 */
export function attribute(touches: readonly Touch[], occurredAt: string, policyFor: (campaignId: string) => AttributionPolicy | undefined): AttributionDecision {
  if (touches.length === 0) return { attributed: false, reason: 'no_touch', considered: 0 };
  const valid = touches.filter((t) => {
    const policy = policyFor(t.campaignId);
    return policy !== undefined && withinWindow(t.at, occurredAt, policy.windowDays);
  });
  if (valid.length === 0) return { attributed: false, reason: 'outside_window', considered: touches.length };
  const strongest = Math.max(...valid.map((t) => RULE_STRENGTH[t.rule]));
  const candidates = valid.filter((t) => RULE_STRENGTH[t.rule] === strongest).sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.referralCode.localeCompare(b.referralCode));
  const model = policyFor(candidates[0]!.campaignId)?.model ?? 'first_touch';
  const touch = model === 'last_touch' ? candidates[candidates.length - 1]! : candidates[0]!;
  return { attributed: true, touch, rule: touch.rule, considered: touches.length };
}
