// The one router behind API Gateway and node:http: match "/s/:token"-style patterns, decode params, dispatch, and turn
// anything unknown or broken into the same friendly page (never a stack trace). Patterns are compiled once; a request
// only tries the routes whose first path segment can match (most pages have a static one: /s, /r, /l, ...).
import type { HttpRequest, HttpResponse, Route, RouteParams } from './types.js';

interface Compiled<D> {
  route: Route<D>;
  regex: RegExp;
  names: string[];
  /** The static first segment ("r" for "/r/:code"), or undefined when it is a param. */
  first: string | undefined;
}

function compile<D>(route: Route<D>): Compiled<D> {
  const names: string[] = [];
  const parts = route.pattern.split('/');
  const source = parts
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const first = parts[1] !== undefined && !parts[1].startsWith(':') ? parts[1] : undefined;
  return { route, regex: new RegExp(`^${source}/?$`), names, first };
}

/** "/r/abc" -> "r"; "/" -> "". */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

/** True for HEAD: link checkers and mail clients probe with it; it must look like GET and change nothing. */
export function isHead(req: Pick<HttpRequest, 'method'>): boolean {
  return req.method === 'HEAD';
}

export interface RouterOptions<D> {
  notFound: (deps: D) => Promise<HttpResponse>;
}

export type Router<D> = (req: HttpRequest, deps: D, onError?: (error: unknown, req: HttpRequest) => void) => Promise<HttpResponse>;

const SERVER_ERROR: HttpResponse = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: 'Something went wrong on our side. Please try again in a minute.' };

export function createRouter<D>(routes: Array<Route<D>>, options: RouterOptions<D>): Router<D> {
  const compiled = routes.map(compile);
  // Candidates per static first segment, in table order; routes starting with a param are candidates everywhere.
  const wildcard = compiled.filter((c) => c.first === undefined);
  const byFirst = new Map<string, Array<Compiled<D>>>();
  for (const c of compiled) if (c.first !== undefined && !byFirst.has(c.first)) byFirst.set(c.first, compiled.filter((o) => o.first === undefined || o.first === c.first));

  return async (req, deps, onError) => {
    const candidates = byFirst.get(firstSegment(req.path)) ?? wildcard;
    let pathMatched = false;
    for (let i = 0; i < candidates.length; i += 1) {
      const c = candidates[i]!;
      const m = c.regex.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== req.method && !(req.method === 'HEAD' && c.route.method === 'GET')) continue;
      const params: RouteParams = {};
      try {
        for (let n = 0; n < c.names.length; n += 1) params[c.names[n]!] = decodeURIComponent(m[n + 1]!);
      } catch {
        const res = await options.notFound(deps);
        return req.method === 'HEAD' ? { ...res, body: '' } : res;
      }
      try {
        const res = await c.route.handler(req, params, deps);
        // HEAD answers like GET without a body; handlers see method HEAD and record nothing (isHead).
        return req.method === 'HEAD' ? { ...res, body: '' } : res;
      } catch (error) {
        onError?.(error, req);
        return { ...SERVER_ERROR, headers: { ...SERVER_ERROR.headers } };
      }
    }
    const res = pathMatched ? { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Method not allowed' } : await options.notFound(deps);
    return req.method === 'HEAD' ? { ...res, body: '' } : res;
  };
}
