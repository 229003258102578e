// POST /conversions: the signed conversion webhook (signup, purchase, refund). HMAC-SHA256 over "<timestamp>.<raw
// body>" in x-referral-signature (v1=<hex>) with x-referral-timestamp (unix seconds, 5-minute window). 401 says only
// "signature" or "stale"; 400 names the field; a replayed idempotency key gets the first answer (200, replayed: true).
import { recordConversion } from '../../../core/conversions.js';
import { ThrottlingError, TransientError } from '../../../core/errors.js';
import { ConversionInput } from '../../../core/schemas/conversion.js';
import { verifyWebhook } from '../../../core/webhooks.js';
import { jsonResponse } from '../../../adapters/channels/pages.js';
import { conversionDeps } from '../../conversions/wiring.js';
import type { HttpDeps } from '../deps.js';
import type { HttpRequest, HttpResponse, RouteHandler } from '../types.js';

export const TIMESTAMP_HEADER = 'x-referral-timestamp';
export const SIGNATURE_HEADER = 'x-referral-signature';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => {
  const res = jsonResponse(status, body);
  return { ...res, headers: { ...res.headers, ...headers } };
};

async function postConversion(req: HttpRequest, _params: unknown, deps: HttpDeps): Promise<HttpResponse> {
  if (!deps.webhookSecret) return json(503, { error: 'webhook_not_configured' });
  // application/json only: a correctly signed text/plain, form or XML body is refused before anything is read.
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') return json(415, { error: 'unsupported_media_type', message: `content-type must be application/json (got ${mediaType || 'none'})` });
  const now = deps.clock.now();
  // The signature covers the bytes as sent, not their decoding (a body that is not valid UTF-8 still verifies).
  const raw = req.rawBody ?? req.body;
  const check = verifyWebhook({ secret: deps.webhookSecret, timestampHeader: req.headers[TIMESTAMP_HEADER], signatureHeader: req.headers[SIGNATURE_HEADER], rawBody: raw, now });
  if (!check.ok) return json(401, { error: 'unauthorized', reason: check.reason === 'stale' ? 'stale' : 'signature' });
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return json(400, { error: 'invalid_body', field: '(body)', message: 'the body is not valid UTF-8' });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return json(400, { error: 'invalid_body', field: '(body)', message: 'the body is not JSON' });
  }
  const parsed = ConversionInput.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return json(400, { error: 'invalid_body', field: issue.path.map(String).join('.') || '(body)', message: issue.message, issues: parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })) });
  }
  try {
    const result = await recordConversion(conversionDeps(deps), parsed.data, now);
    return json(200, result);
  } catch (error) {
    if (error instanceof ThrottlingError || error instanceof TransientError) return json(503, { error: 'retry', message: 'busy: retry with the same idempotency key' }, { 'retry-after': '2' });
    throw error;
  }
}

/** Handlers by route id (functions/http/route-list.ts). */
export const conversionHandlers = { conversions: postConversion } satisfies Record<string, RouteHandler<HttpDeps>>;
