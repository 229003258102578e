// Which occurrences two campaigns' milestones share (core/campaign-overlap.ts): hand-worked cases per kind.
import { describe, expect, it } from 'vitest';
import { sharedOccurrences } from '../../../core/campaign-overlap.js';
import { MilestoneTrigger } from '../../../core/schemas/campaign.js';

const m = (raw: Record<string, unknown>) => MilestoneTrigger.parse(raw);

describe('sharedOccurrences', () => {
  it('date milestones share the years both celebrate', () => {
    expect(sharedOccurrences(m({ kind: 'signup_anniversary' }), m({ kind: 'signup_anniversary', minYears: 3 }))).toBe('signup_anniversary, years 3+');
    expect(sharedOccurrences(m({ kind: 'birthday', minYears: 0, maxYears: 5 }), m({ kind: 'birthday', minYears: 5 }))).toBe('birthday, years 5');
    expect(sharedOccurrences(m({ kind: 'signup_anniversary', maxYears: 4 }), m({ kind: 'signup_anniversary', minYears: 5 }))).toBeUndefined();
    expect(sharedOccurrences(m({ kind: 'signup_anniversary' }), m({ kind: 'birthday' }))).toBeUndefined();
  });
  it('thresholds share the values both list', () => {
    expect(sharedOccurrences(m({ kind: 'nth_purchase', thresholds: [10, 25] }), m({ kind: 'nth_purchase', thresholds: [25, 50] }))).toBe('nth_purchase 25');
    expect(sharedOccurrences(m({ kind: 'nth_purchase', thresholds: [10] }), m({ kind: 'nth_purchase', thresholds: [20] }))).toBeUndefined();
    expect(sharedOccurrences(m({ kind: 'tier_reached', tiers: ['gold', 'platinum'] }), m({ kind: 'tier_reached', tiers: ['silver'] }))).toBeUndefined();
    expect(sharedOccurrences(m({ kind: 'project_completed', every: 2 }), m({ kind: 'project_completed', every: 3 }))).toMatch(/^project_completed/);
  });
  it('spend thresholds in different currencies share nothing: the spend of a customer grows in their one currency', () => {
    // A campaign's spend milestone must be in its budget currency, so EUR and USD customers need one campaign each;
    // only the EUR one can cross for a EUR customer (core/thresholds.ts), so the pair never decides the same occurrence.
    const spend = (currency: string, thresholdsMinor: number[]) => m({ kind: 'spend_threshold', currency, thresholdsMinor });
    expect(sharedOccurrences(spend('EUR', [50000, 100000]), spend('USD', [50000, 100000]))).toBeUndefined();
    expect(sharedOccurrences(spend('EUR', [50000, 100000]), spend('EUR', [100000]))).toBe('spend_threshold 100000 (EUR)');
  });
});
