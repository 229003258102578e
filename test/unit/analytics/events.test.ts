// The event union: every event is validated where it is built, and the detail-type is versioned.
import { describe, expect, it } from 'vitest';
import { detailType, EVENT_NAMES, projectEvent } from '../../../core/schemas/events.js';

describe('project events', () => {
  it('versions every detail-type and fills in version 1', () => {
    // Act
    const e = projectEvent('referral.click.recorded', { occurredAt: '2026-11-30T10:00:00Z', clickId: 'c1', referralCode: 'abcdefghij', campaignId: 'tenth-order' });
    // Assess
    expect(e.detailType).toBe('referral.click.recorded.v1');
    expect(e.detail).toMatchObject({ version: 1, clickId: 'c1' });
    expect(EVENT_NAMES.every((n) => detailType(n) === `${n}.v1`)).toBe(true);
  });

  it('refuses a detail that does not match its schema (a share without its ask)', () => {
    expect(() => projectEvent('referral.share.recorded', { occurredAt: '2026-11-30T10:00:00Z', referralCode: 'abcdefghij', network: 'x' } as never)).toThrow();
    expect(() => projectEvent('referral.ask.sent', { occurredAt: 'yesterday', askId: 'a', campaignId: 'c', customerId: 'u', milestoneKind: 'signup_anniversary', milestoneOn: '2026-11-30', tenureTier: 't', cohortMonth: '2020-01', runDate: '2026-11-30', variantId: 'v', channel: 'email' })).toThrow();
  });

  it('carries the report dimensions on ask events', () => {
    const e = projectEvent('referral.ask.held_out', { occurredAt: '2026-11-30T10:00:00Z', askId: 'u~m', campaignId: 'c', customerId: 'u', milestoneKind: 'nth_purchase', milestoneOn: '2026-11-30', tenureTier: 'Regular', cohortMonth: '2021-03', runDate: '2026-11-30', variantId: 'v' });
    expect(e.detail).toMatchObject({ milestoneKind: 'nth_purchase', tenureTier: 'Regular', cohortMonth: '2021-03', runDate: '2026-11-30' });
  });
});
