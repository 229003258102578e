// Signed conversion webhooks, pure: HMAC-SHA256 over "<timestamp>.<raw body>", a 5-minute window against replays of
// old requests, constant-time comparison. Header format: x-referral-signature: v1=<hex>.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_WINDOW_SECONDS = 5 * 60;

/**
 * `v1=<hex>`: HMAC-SHA256 of "<timestamp>." followed by the body's bytes exactly as sent (a string is taken as its
 * UTF-8 bytes). Signing bytes, not decoded text, keeps a body that is not valid UTF-8 verifiable.
 */
export function signWebhook(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export type WebhookCheck = { ok: true } | { ok: false; reason: 'missing_signature' | 'bad_timestamp' | 'stale' | 'bad_signature' };

export function verifyWebhook(input: { secret: string; timestampHeader?: string; signatureHeader?: string; rawBody: string | Uint8Array; now: Date }): WebhookCheck {
  if (!input.signatureHeader || !input.timestampHeader) return { ok: false, reason: 'missing_signature' };
  if (!/^\d{9,11}$/.test(input.timestampHeader)) return { ok: false, reason: 'bad_timestamp' };
  const ts = Number(input.timestampHeader);
  if (Math.abs(input.now.getTime() / 1000 - ts) > WEBHOOK_WINDOW_SECONDS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(input.secret, ts, input.rawBody));
  const given = Buffer.from(input.signatureHeader.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}
