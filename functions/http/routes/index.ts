// The route table of the HTTP API: one entry per page or webhook. Each area adds its routes here.
import type { Route } from '../types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const routes: Array<Route<any>> = [];
