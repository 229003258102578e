// The one router behind API Gateway and node:http: match "/s/:token"-style patterns, decode params, dispatch, and turn
// anything unknown or broken into the same friendly page (never a stack trace).
import type { HttpRequest, HttpResponse, Route, RouteParams } from './types.js';

interface Compiled<D> {
  route: Route<D>;
  regex: RegExp;
  names: string[];
}

function compile<D>(route: Route<D>): Compiled<D> {
  const names: string[] = [];
  const source = route.pattern
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, regex: new RegExp(`^${source}/?$`), names };
}

export interface RouterOptions {
  notFound: () => Promise<HttpResponse>;
  onError?: (error: unknown, req: HttpRequest) => void;
}

export function createRouter<D>(routes: Array<Route<D>>, options: RouterOptions): (req: HttpRequest, deps: D) => Promise<HttpResponse> {
  const compiled = routes.map(compile);
  return async (req, deps) => {
    let pathMatched = false;
    for (const c of compiled) {
      const m = c.regex.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== req.method && !(req.method === 'HEAD' && c.route.method === 'GET')) continue;
      const params: RouteParams = {};
      try {
        c.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      } catch {
        return options.notFound();
      }
      try {
        return await c.route.handler(req, params, deps);
      } catch (error) {
        options.onError?.(error, req);
        return { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: 'Something went wrong on our side. Please try again in a minute.' };
      }
    }
    if (pathMatched) return { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Method not allowed' };
    return options.notFound();
  };
}
