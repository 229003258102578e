// The HTTP API on node:http for the embedded runtime: the very same router and routes as the Lambda, on localhost.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseCookies } from 'cookie';
import { httpDepsFromEnv, type HttpDeps } from '../functions/http/deps.js';
import { handleHttp } from '../functions/http/handle.js';
import type { HttpRequest } from '../functions/http/types.js';

const MAX_BODY = 256 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function toRequest(req: IncomingMessage): Promise<HttpRequest> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    cookies: parseCookies(headers.cookie ?? '') as Record<string, string>,
    body: req.method === 'POST' ? await readBody(req) : '',
    ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
  };
}

export async function startHttpServer(options: { port?: number; host?: string; deps?: HttpDeps } = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const deps = options.deps ?? (await httpDepsFromEnv());
  const server = createServer((req, res) => {
    toRequest(req)
      .then((request) => handleHttp(request, deps, (error) => console.error('route failed:', (error as Error).message)))
      .then((out) => {
        const headers: Record<string, string | string[]> = { ...(out.headers ?? {}) };
        if (out.cookies?.length) headers['set-cookie'] = out.cookies;
        res.writeHead(out.status, headers);
        res.end(out.body ?? '');
      })
      .catch(() => {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Bad request');
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
