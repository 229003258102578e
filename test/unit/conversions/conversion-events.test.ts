// The EventBridge entry for conversions: the Powertools envelope, `type` taken from the detail-type, invalid events
// dropped with the field named, valid ones through the same flow as the webhook (and its replay protection).
import { describe, expect, it } from 'vitest';
import { makeHandler, parseConversionEvent } from '../../../functions/conversions/conversion-events.js';
import { PublishedEventDetails, type EventName } from '../../../core/schemas/events.js';
import { makeCampaign } from '../core/fixtures.js';
import { fakeDeps } from './fakes.js';
import { pseudonymizeEventDetail } from '../../../core/privacy.js';

/** Events are validated as they leave: through the publisher that swaps customer ids for subject ids. */
const subjects = { subjectFor: async (id: string) => `sub_${id.length}` };

const event = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0', id: 'e1', 'detail-type': detailType, source: 'shop', account: '123456789012', time: '2026-11-25T10:00:00Z', region: 'eu-central-1', resources: [], detail,
});
const detail = { idempotencyKey: 'ev-1', externalCustomerId: 'f-1', email: 'f1@example.com', referralCode: 'abcd2345ef', amountMinor: 5000, currency: 'EUR', occurredAt: '2026-11-25T10:00:00.000Z' };

describe('conversion events', () => {
  it('takes the type from the detail-type', () => {
    expect(parseConversionEvent(event('conversion.purchase', detail))).toMatchObject({ ok: true, input: { type: 'purchase', idempotencyKey: 'ev-1' } });
  });

  it('refuses other detail-types, a contradicting type and invalid details, naming the field', () => {
    expect(parseConversionEvent(event('customer.activity', detail))).toMatchObject({ ok: false });
    expect(parseConversionEvent(event('conversion.purchase', { ...detail, type: 'refund' }))).toMatchObject({ ok: false, errors: [expect.stringContaining('disagrees')] });
    const bad = parseConversionEvent(event('conversion.purchase', { ...detail, amountMinor: 12.5 }));
    expect(bad).toMatchObject({ ok: false, errors: [expect.stringContaining('amountMinor')] });
  });

  it('records the conversion with valid events, and a redelivery changes nothing', async () => {
    const f = fakeDeps([makeCampaign()]);
    f.store.codes.set('abcd2345ef', { customerId: 'adv-1', campaignId: 'signup-anniversary', askId: 'adv-1~x' });
    f.store.advocates.set('adv-1', { id: 'adv-1', successfulReferrals: 0 });
    const errors: unknown[] = [];
    const handler = makeHandler({ ...f.deps, clock: { now: () => new Date('2026-11-25T10:05:00.000Z') }, logger: { info: () => {}, error: (_m, e) => errors.push(e) } });
    const first = await handler(event('conversion.purchase', detail));
    expect(first).toMatchObject({ status: 'recorded', replayed: false });
    const again = await handler(event('conversion.purchase', detail));
    expect(again).toMatchObject({ status: 'recorded', replayed: true });
    for (const e of f.publisher.events) {
      const name = e.detailType.replace(/\.v1$/, '') as EventName;
      expect(PublishedEventDetails[name].safeParse(await pseudonymizeEventDetail(e.detail, subjects)).success, e.detailType).toBe(true);
    }
    expect(await handler({ nope: true })).toMatchObject({ status: 'invalid' });
    expect(errors).toHaveLength(1);
  });
});
