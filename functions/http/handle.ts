// The whole HTTP surface as one function: the route table behind the router, the friendly 404 for everything
// unknown. API Gateway (functions/http/api.ts) and node:http (local/http-server.ts) both call this.
import { createRouter } from './router.js';
import { routes } from './routes/index.js';
import { notFound } from './routes/referrals.js';
import type { HttpDeps } from './deps.js';
import type { HttpRequest, HttpResponse } from './types.js';

let router: ((req: HttpRequest, deps: HttpDeps) => Promise<HttpResponse>) | undefined;

export function handleHttp(req: HttpRequest, deps: HttpDeps, onError?: (error: unknown) => void): Promise<HttpResponse> {
  router ??= createRouter<HttpDeps>(routes, { notFound: () => notFound(deps), onError: (e) => onError?.(e) });
  return router(req, deps);
}
