// The route table of the HTTP API: the one list of routes (functions/http/route-list.ts, which the API Gateway stack
// declares too) with each id's handler. A route in the list without a handler does not compile.
import { API_ROUTES, type RouteId } from '../route-list.js';
import type { Route, RouteHandler } from '../types.js';
import { unsubscribeHandlers } from './unsubscribe.js';
import { preferencesHandlers } from './preferences.js';
import { inappHandlers } from './inapp.js';
import { referralHandlers } from './referrals.js';
import { conversionHandlers } from './conversions.js';
import { statusHandlers } from './status.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const HANDLERS = { ...referralHandlers, ...unsubscribeHandlers, ...preferencesHandlers, ...inappHandlers, ...statusHandlers, ...conversionHandlers } satisfies Record<RouteId, RouteHandler<any>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const routes: Array<Route<any> & { id: RouteId }> = API_ROUTES.map((r) => ({ id: r.id, method: r.method, pattern: r.pattern, handler: HANDLERS[r.id] }));
