// Webhook signatures: the valid case, every way of being wrong, and the 5-minute window on both sides.
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../../core/webhooks.js';

const secret = 'whsec_test';
const now = new Date('2026-11-25T10:00:00Z');
const ts = Math.floor(now.getTime() / 1000);
const body = '{"type":"purchase","amountMinor":4200}';

describe('verifyWebhook', () => {
  it('accepts a fresh, correctly signed body', () => {
    expect(verifyWebhook({ secret, timestampHeader: String(ts), signatureHeader: signWebhook(secret, ts, body), rawBody: body, now })).toEqual({ ok: true });
  });

  it('rejects a body changed after signing', () => {
    expect(verifyWebhook({ secret, timestampHeader: String(ts), signatureHeader: signWebhook(secret, ts, body), rawBody: body.replace('4200', '9900'), now })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects another secret and a missing signature', () => {
    expect(verifyWebhook({ secret, timestampHeader: String(ts), signatureHeader: signWebhook('other', ts, body), rawBody: body, now }).ok).toBe(false);
    expect(verifyWebhook({ secret, timestampHeader: String(ts), rawBody: body, now })).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it.each([301, -301])('rejects a timestamp %i seconds off (replay window)', (skew) => {
    const t = ts + skew;
    expect(verifyWebhook({ secret, timestampHeader: String(t), signatureHeader: signWebhook(secret, t, body), rawBody: body, now })).toEqual({ ok: false, reason: 'stale' });
  });

  it('accepts a timestamp exactly 300 seconds old', () => {
    const t = ts - 300;
    expect(verifyWebhook({ secret, timestampHeader: String(t), signatureHeader: signWebhook(secret, t, body), rawBody: body, now })).toEqual({ ok: true });
  });
});
