// One-click unsubscribe: GET /u/:token shows a confirm page; POST /u/:token unsubscribes (RFC 8058: the mailbox
// provider POSTs `List-Unsubscribe=One-Click` with no cookie and no login; the signed token is the authority).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PreferenceStore } from '../../../adapters/dynamo/preferences.js';
import { pageResponse } from '../../../adapters/channels/pages.js';
import { signToken, verifyTokenFor } from '../../../core/links.js';
import type { Clock, Keyring } from '../../../core/ports.js';
import { parseUnsubscribeBody, unsubscribeUpdate } from '../../../core/preferences.js';
import type { HttpRequest, HttpResponse, RouteParams, RouteHandler } from '../types.js';

/** What the unsubscribe, preferences and in-app routes need; the router passes a superset. */
export interface ChannelRouteDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  keyring: Keyring;
  clock: Clock;
  /** Public base URL, e.g. https://go.acme.com (links on the pages). */
  baseUrl: string;
  /** templates/ root (default: TEMPLATES_DIR or the repo's templates/). */
  templatesDir?: string;
}

export const notFoundPage = (deps: Pick<ChannelRouteDeps, 'templatesDir'>): Promise<HttpResponse> =>
  pageResponse(404, 'unsubscribe-not-found', { title: 'Link not found' }, deps.templatesDir);

export function preferencesUrl(deps: Pick<ChannelRouteDeps, 'baseUrl' | 'keyring'>, customerId: string): string {
  return `${deps.baseUrl.replace(/\/+$/, '')}/p/${signToken({ p: 'prefs', c: customerId }, deps.keyring)}`;
}

async function showConfirm(_req: HttpRequest, params: RouteParams, deps: ChannelRouteDeps): Promise<HttpResponse> {
  const payload = verifyTokenFor('unsub', params.token ?? '', deps.keyring, deps.clock.now());
  if (!payload) return notFoundPage(deps);
  const locale = (await new PreferenceStore(deps.doc, deps.tableName).view(payload.c))?.locale;
  return pageResponse(
    200,
    'unsubscribe',
    { title: 'Unsubscribe', locale, action: `/u/${params.token}`, preferencesUrl: preferencesUrl(deps, payload.c) },
    deps.templatesDir,
  );
}

async function unsubscribe(req: HttpRequest, params: RouteParams, deps: ChannelRouteDeps): Promise<HttpResponse> {
  const payload = verifyTokenFor('unsub', params.token ?? '', deps.keyring, deps.clock.now());
  if (!payload) return notFoundPage(deps);
  const request = parseUnsubscribeBody(req.body ?? '');
  const found = await new PreferenceStore(deps.doc, deps.tableName).apply(payload.c, unsubscribeUpdate(request), deps.clock.now().toISOString(), 'unsubscribe');
  if (!found) return notFoundPage(deps);
  if (request.oneClick) {
    // Mailbox providers only look at the status; keep the body tiny.
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'unsubscribed' };
  }
  const locale = (await new PreferenceStore(deps.doc, deps.tableName).view(payload.c))?.locale;
  return pageResponse(200, 'unsubscribe-done', { title: 'Unsubscribed', locale, doNotAsk: request.doNotAsk, preferencesUrl: preferencesUrl(deps, payload.c) }, deps.templatesDir);
}

/** Handlers by route id (functions/http/route-list.ts). */
export const unsubscribeHandlers = { unsubscribeConfirm: showConfirm, unsubscribe } satisfies Record<string, RouteHandler<ChannelRouteDeps>>;
