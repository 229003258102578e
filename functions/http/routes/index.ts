// The route table of the HTTP API: one entry per page or webhook. Each area adds its routes here.
import type { Route } from '../types.js';
import { unsubscribeRoutes } from './unsubscribe.js';
import { preferencesRoutes } from './preferences.js';
import { inappRoutes } from './inapp.js';
import { referralRoutes } from './referrals.js';
import { conversionRoutes } from './conversions.js';
import { statusRoutes } from './status.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const routes: Array<Route<any>> = [...referralRoutes, ...unsubscribeRoutes, ...preferencesRoutes, ...inappRoutes, ...statusRoutes, ...conversionRoutes];
