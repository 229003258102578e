// The HTTP API on node:http for the embedded runtime: the very same router and routes as the Lambda, on localhost.
// Per request it does only what the route needs: the path and query split without a URL object for ordinary
// origin-form targets, cookies parsed only when sent, the body read only for POST, and no extra promise hops.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseCookies } from 'cookie';
import { httpDepsFromEnv, type HttpDeps } from '../functions/http/deps.js';
import { handleHttp } from '../functions/http/handle.js';
import { MAX_BODY_BYTES, type HttpRequest, type HttpResponse } from '../functions/http/types.js';
import { LOCAL_PORTS, LocalEndpointError } from './endpoints.js';

/** The body's bytes, or `oversized` past MAX_BODY_BYTES (the rest is drained, not kept). */
async function readBody(req: IncomingMessage): Promise<{ raw: Buffer; oversized: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? { raw: Buffer.alloc(0), oversized: true } : { raw: Buffer.concat(chunks), oversized: false };
}

/** Paths a URL parser would rewrite: characters it percent-encodes, dot segments (also encoded), empty segments, backslashes. */
const NEEDS_URL_PARSER = /[^A-Za-z0-9\-._~%!$&'()*+,;=:@/]|\/\.|\/\/|%2e/i;

/** Path and query of the request target; plain origin-form targets skip the URL object (same result, less work). */
export function splitTarget(target: string): { path: string; query: Record<string, string> } {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path.charCodeAt(0) === 47 && !NEEDS_URL_PARSER.test(path) && !target.includes('#')) {
    return { path, query: q === -1 ? {} : Object.fromEntries(new URLSearchParams(target.slice(q + 1))) };
  }
  const url = new URL(target, 'http://localhost');
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

function requestOf(req: IncomingMessage, body: string): HttpRequest {
  const { path, query } = splitTarget(req.url ?? '/');
  const headers: Record<string, string> = {};
  const raw = req.headers;
  for (const k in raw) {
    const v = raw[k];
    if (typeof v === 'string') headers[k] = v;
  }
  return {
    method: req.method ?? 'GET',
    path,
    query,
    headers,
    cookies: headers.cookie ? (parseCookies(headers.cookie) as Record<string, string>) : {},
    body,
    ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
  };
}

export async function toRequest(req: IncomingMessage): Promise<HttpRequest> {
  if (req.method !== 'POST') return requestOf(req, '');
  const { raw, oversized } = await readBody(req);
  return { ...requestOf(req, oversized ? '' : raw.toString('utf8')), rawBody: raw, ...(oversized ? { oversized } : {}) };
}

function send(res: ServerResponse, out: HttpResponse): void {
  const headers: Record<string, string | string[]> = out.headers ? { ...out.headers } : {};
  if (out.cookies?.length) headers['set-cookie'] = out.cookies;
  res.writeHead(out.status, headers);
  res.end(out.body ?? '');
}

function badRequest(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Bad request');
}

/** Extra GET pages of the local runtime only (the report at /report): path to a loader of the HTML. */
export const localPages = new Map<string, () => Promise<string>>();

export async function startHttpServer(options: { port?: number; host?: string; deps?: HttpDeps } = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const deps = options.deps ?? (await httpDepsFromEnv());
  const onError = (error: unknown) => console.error('route failed:', (error as Error).message);
  const server = createServer((req, res) => {
    let pending: Promise<HttpResponse>;
    const page = req.method === 'GET' ? localPages.get(req.url ?? '') : undefined;
    if (page) {
      page().then(
        (body) => send(res, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body }),
        () => badRequest(res),
      );
      return;
    }
    try {
      pending = req.method === 'POST' ? toRequest(req).then((request) => handleHttp(request, deps, onError)) : handleHttp(requestOf(req, ''), deps, onError);
    } catch {
      badRequest(res);
      return;
    }
    pending.then(
      (out) => send(res, out),
      () => badRequest(res),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new LocalEndpointError(`port ${options.port} (HTTP) is in use by another program: set PORT to a free port`) : error),
    );
    server.listen(options.port ?? LOCAL_PORTS.http, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
