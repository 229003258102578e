// The one list of the HTTP API's routes. The router's table (functions/http/routes/index.ts) maps each id to its
// handler, and the API Gateway stack (infra/http-stack.ts) declares exactly these routes (GET ones also for HEAD),
// so a page cannot exist in one and be missing in the other. Pure data: infra imports it without any handler code.

export const API_ROUTES = [
  { id: 'sharePage', method: 'GET', pattern: '/s/:token' },
  { id: 'shareTo', method: 'GET', pattern: '/s/:token/to/:network' },
  { id: 'shortShare', method: 'GET', pattern: '/k/:id' },
  { id: 'click', method: 'GET', pattern: '/r/:code' },
  { id: 'landing', method: 'GET', pattern: '/l/:campaign' },
  { id: 'signup', method: 'POST', pattern: '/l/:campaign' },
  { id: 'asset', method: 'GET', pattern: '/assets/:file' },
  { id: 'terms', method: 'GET', pattern: '/t/:campaign' },
  { id: 'unsubscribeConfirm', method: 'GET', pattern: '/u/:token' },
  { id: 'unsubscribe', method: 'POST', pattern: '/u/:token' },
  { id: 'preferences', method: 'GET', pattern: '/p/:token' },
  { id: 'preferencesSave', method: 'POST', pattern: '/p/:token' },
  { id: 'inappList', method: 'GET', pattern: '/inapp/asks' },
  { id: 'inappAct', method: 'POST', pattern: '/inapp/asks/:askId' },
  { id: 'status', method: 'GET', pattern: '/me/:token' },
  { id: 'conversions', method: 'POST', pattern: '/conversions' },
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];
export type RouteId = ApiRoute['id'];

/** "/s/:token" -> "/s/{token}" (API Gateway's path syntax). */
export function gatewayPath(pattern: string): string {
  return pattern.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** The gateway's routes: each list entry, and HEAD beside every GET (HTTP APIs do not route HEAD to GET). */
export function gatewayRoutes(): Array<{ method: 'GET' | 'POST' | 'HEAD'; path: string }> {
  return API_ROUTES.flatMap((r) => [{ method: r.method, path: gatewayPath(r.pattern) }, ...(r.method === 'GET' ? [{ method: 'HEAD' as const, path: gatewayPath(r.pattern) }] : [])]);
}
