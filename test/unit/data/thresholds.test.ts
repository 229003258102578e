// Threshold crossing: exactly the thresholds between before and after.
import { describe, expect, it } from 'vitest';
import { activityIdOf, crossedThresholds, milestoneDueAt, type CounterSnapshot } from '../../../core/thresholds.js';

const snap = (s: Partial<CounterSnapshot>): CounterSnapshot => ({ orders: 0, lifetimeSpendMinor: 0, projectsCompleted: 0, currency: 'EUR', ...s });

describe('crossedThresholds', () => {
  it('crosses nth_purchase 10 going from 9 to 10 orders', () => {
    const r = crossedThresholds({ kind: 'nth_purchase', thresholds: [10, 25], askDelayHours: 0 }, snap({ orders: 9 }), snap({ orders: 10 }));
    expect(r.map((c) => c.occurrenceId)).toEqual(['nth_purchase#10']);
  });

  it('crosses nothing when the count does not move', () => {
    const r = crossedThresholds({ kind: 'nth_purchase', thresholds: [10], askDelayHours: 0 }, snap({ orders: 10 }), snap({ orders: 10 }));
    expect(r).toEqual([]);
  });

  it('crosses two spend thresholds with one large order', () => {
    const r = crossedThresholds({ kind: 'spend_threshold', thresholdsMinor: [100_000, 50_000, 250_000], currency: 'EUR', askDelayHours: 0 }, snap({ lifetimeSpendMinor: 40_000 }), snap({ lifetimeSpendMinor: 120_000 }));
    expect(r.map((c) => c.threshold)).toEqual(['50000', '100000']);
  });

  it('ignores spend thresholds in another currency', () => {
    const r = crossedThresholds({ kind: 'spend_threshold', thresholdsMinor: [50_000], currency: 'USD', askDelayHours: 0 }, snap({}), snap({ lifetimeSpendMinor: 60_000 }));
    expect(r).toEqual([]);
  });

  it('crosses tier_reached only for listed tiers that changed', () => {
    const trigger = { kind: 'tier_reached' as const, tiers: ['gold'], askDelayHours: 0 };
    expect(crossedThresholds(trigger, snap({ tier: 'silver' }), snap({ tier: 'gold' })).map((c) => c.occurrenceId)).toEqual(['tier_reached#gold']);
    expect(crossedThresholds(trigger, snap({ tier: 'gold' }), snap({ tier: 'gold' }))).toEqual([]);
    expect(crossedThresholds(trigger, snap({ tier: 'gold' }), snap({ tier: 'silver' }))).toEqual([]);
  });

  it('crosses every nth project', () => {
    const trigger = { kind: 'project_completed' as const, every: 3, askDelayHours: 0 };
    expect(crossedThresholds(trigger, snap({ projectsCompleted: 5 }), snap({ projectsCompleted: 6 })).map((c) => c.threshold)).toEqual(['6']);
    expect(crossedThresholds(trigger, snap({ projectsCompleted: 6 }), snap({ projectsCompleted: 7 }))).toEqual([]);
  });
});

describe('helpers', () => {
  it('derives the activity id from the order id', () => {
    expect(activityIdOf({ type: 'order_completed', customerId: 'c', orderId: 'o-1', amountMinor: 1, currency: 'EUR', at: '2025-01-01T00:00:00Z' })).toBe('order#o-1');
  });

  it('adds the ask delay to the activity time', () => {
    expect(milestoneDueAt('2025-01-01T22:00:00Z', 48)).toBe('2025-01-03T22:00:00.000Z');
  });
});
