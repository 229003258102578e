// Attribution rules: the server-bound click id first, then the cookie-derived lead, then a typed code; the campaign's
// window; first touch by default, last touch when configured.
import { describe, expect, it } from 'vitest';
import { attribute, withinWindow, type AttributionPolicy, type Touch } from '../../../core/attribution.js';

const AT = '2026-11-25T12:00:00.000Z';
const daysBefore = (d: number) => new Date(Date.parse(AT) - d * 86_400_000).toISOString();
const firstTouch: AttributionPolicy = { windowDays: 30, model: 'first_touch' };
const policy = (p: AttributionPolicy = firstTouch) => () => p;
const touch = (over: Partial<Touch>): Touch => ({ rule: 'click_id', referralCode: 'aaaa2345aa', campaignId: 'c1', advocateId: 'adv-a', at: daysBefore(1), ...over });

describe('attribute', () => {
  it('prefers the server-bound click id over the cookie and the typed code, whatever their order', () => {
    const d = attribute([touch({ rule: 'typed_code', advocateId: 'typed', at: AT }), touch({ rule: 'cookie', advocateId: 'cookie' }), touch({ rule: 'click_id', advocateId: 'click', at: daysBefore(5) })], AT, policy());
    expect(d).toMatchObject({ attributed: true, rule: 'click_id', touch: { advocateId: 'click' } });
  });

  it('falls back to the cookie-derived lead, then the typed code', () => {
    expect(attribute([touch({ rule: 'typed_code', advocateId: 't' }), touch({ rule: 'cookie', advocateId: 'c' })], AT, policy())).toMatchObject({ rule: 'cookie', touch: { advocateId: 'c' } });
    expect(attribute([touch({ rule: 'typed_code', advocateId: 't', at: AT })], AT, policy())).toMatchObject({ rule: 'typed_code', touch: { advocateId: 't' } });
  });

  it('drops touches outside the window (and a stronger stale click loses to a fresh cookie)', () => {
    expect(attribute([touch({ at: daysBefore(31) })], AT, policy())).toEqual({ attributed: false, reason: 'outside_window', considered: 1 });
    expect(attribute([touch({ at: daysBefore(31), advocateId: 'old' }), touch({ rule: 'cookie', advocateId: 'fresh' })], AT, policy())).toMatchObject({ rule: 'cookie', touch: { advocateId: 'fresh' } });
    expect(attribute([touch({ at: daysBefore(29.9) })], AT, policy())).toMatchObject({ attributed: true });
  });

  it('does not credit a touch that happened after the conversion (beyond clock skew)', () => {
    expect(withinWindow(new Date(Date.parse(AT) + 60_000).toISOString(), AT, 30)).toBe(true);
    expect(withinWindow(new Date(Date.parse(AT) + 3_600_000).toISOString(), AT, 30)).toBe(false);
  });

  it('takes the first touch by default and the last touch when the campaign says so', () => {
    const touches = [touch({ advocateId: 'late', at: daysBefore(1) }), touch({ advocateId: 'early', at: daysBefore(10) })];
    expect(attribute(touches, AT, policy())).toMatchObject({ touch: { advocateId: 'early' } });
    expect(attribute(touches, AT, policy({ windowDays: 30, model: 'last_touch' }))).toMatchObject({ touch: { advocateId: 'late' } });
  });

  it('says so when there is nothing to attribute, or the campaign is unknown', () => {
    expect(attribute([], AT, policy())).toEqual({ attributed: false, reason: 'no_touch', considered: 0 });
    expect(attribute([touch({})], AT, () => undefined)).toMatchObject({ attributed: false, reason: 'outside_window' });
  });
});
