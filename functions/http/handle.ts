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
import type { HttpRequest, HttpResponse } from './types.js';

let router: Router<HttpDeps> | undefined;

export const handleHttp = inFunction(FUNCTION_ID.Api, (req: HttpRequest, deps: HttpDeps, onError?: (error: unknown) => void): Promise<HttpResponse> => {
  router ??= createRouter<HttpDeps>(routes, { notFound });
  return router(req, deps, onError);
});
