// The whole HTTP surface as one function: the route table behind the router, the friendly 404 for everything
// unknown. API Gateway (functions/http/api.ts) and node:http (local/http-server.ts) both call this. The router is
// compiled once per process; deps and the error callback travel with each call (a second server in the same
// process, with other deps, gets its own 404 page and its own error log).
import { createRouter, type Router } from './router.js';
import { routes } from './routes/index.js';
import { notFound } from './routes/referrals.js';
import type { HttpDeps } from './deps.js';
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';
import { MAX_BODY_BYTES, type HttpRequest, type HttpResponse } from './types.js';
import { jsonResponse } from '../../adapters/channels/pages.js';

let router: Router<HttpDeps> | undefined;

export const handleHttp = inFunction(FUNCTION_ID.Api, (req: HttpRequest, deps: HttpDeps, onError?: (error: unknown) => void): Promise<HttpResponse> => {
  router ??= createRouter<HttpDeps>(routes, { notFound });
  // Every route: a body past the limit is refused in the JSON error shape, before any route reads it.
  if (req.oversized) return Promise.resolve(jsonResponse(413, { error: 'payload_too_large', message: `the body is larger than ${MAX_BODY_BYTES} bytes` }));
  return router(req, deps, onError);
});
