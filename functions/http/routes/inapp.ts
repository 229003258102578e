// The app's read endpoint for in-app asks, authenticated by a signed 'inapp' token (no session): GET lists the open
// asks, POST marks one seen or dismissed.
import * as z from 'zod';
import { InboxStore } from '../../../adapters/dynamo/inbox.js';
import { jsonResponse } from '../../../adapters/channels/pages.js';
import { verifyTokenFor } from '../../../core/links.js';
import type { HttpRequest, HttpResponse, RouteParams, RouteHandler } from '../types.js';
import type { ChannelRouteDeps } from './unsubscribe.js';

const notFound = (): HttpResponse => jsonResponse(404, { error: 'not_found', message: 'unknown or expired token' });

async function list(req: HttpRequest, _params: RouteParams, deps: ChannelRouteDeps): Promise<HttpResponse> {
  const payload = verifyTokenFor('inapp', req.query.token ?? '', deps.keyring, deps.clock.now());
  if (!payload) return notFound();
  const asks = await new InboxStore(deps.doc, deps.tableName).list(payload.c, ['open']);
  return jsonResponse(200, { asks: asks.map(({ askId, campaignId, title, body, shareUrl, state, createdAt }) => ({ askId, campaignId, title, body, shareUrl, state, createdAt })) });
}

/** Ask ids hold "#" and "~": the app sends them percent-encoded; a router that already decoded leaves no "%". */
function decodeParam(value: string): string {
  try {
    return value.includes('%') ? decodeURIComponent(value) : value;
  } catch {
    return value;
  }
}

const ActionBody = z.object({ action: z.enum(['seen', 'dismissed']), token: z.string().min(1) });

async function act(req: HttpRequest, params: RouteParams, deps: ChannelRouteDeps): Promise<HttpResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(req.body || '{}');
  } catch {
    return jsonResponse(400, { error: 'invalid_body', message: 'body: must be JSON like {"action":"seen","token":"..."}' });
  }
  const parsed = ActionBody.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return jsonResponse(400, { error: 'invalid_body', field: issue.path.join('.'), message: `${issue.path.join('.') || 'body'}: ${issue.message}` });
  }
  const payload = verifyTokenFor('inapp', parsed.data.token, deps.keyring, deps.clock.now());
  if (!payload) return notFound();
  // The item key is built from the token's customer, so a token can only touch its own inbox.
  const askId = decodeParam(params.askId ?? '');
  const result = await new InboxStore(deps.doc, deps.tableName).setState(payload.c, askId, parsed.data.action, deps.clock.now().toISOString());
  if (result === 'missing') return jsonResponse(404, { error: 'not_found', message: 'askId: no such ask in this inbox' });
  return jsonResponse(200, { askId, state: parsed.data.action, changed: result === 'updated' });
}

/** Handlers by route id (functions/http/route-list.ts). */
export const inappHandlers = { inappList: list, inappAct: act } satisfies Record<string, RouteHandler<ChannelRouteDeps>>;
