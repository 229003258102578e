// The local stand-ins for AWS: dynalite (DynamoDB, data on disk under .local/dynamo), the aws-ses-v2-local server
// (SES v2 with a web mailbox) and the project's HTTP server. A server that already answers on its port (another
// `npm start`) is reused rather than started twice: leveldb allows one process per data directory.
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createDocumentClient, isEndpointReachable } from '../adapters/dynamo/client.js';
import { assertDataDirFree, clearEngineRecord, LOCAL_PORTS, LocalEndpointError, writeEngineRecord, type LocalEndpoints } from './endpoints.js';

const require = createRequire(import.meta.url);

export { LOCAL_PORTS };

export interface StartedServer {
  url: string;
  /** True when an already running server was found and reused (we do not stop it). */
  reused: boolean;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host = '127.0.0.1', what = 'server', variable = 'PORT'): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'EADDRINUSE' ? new LocalEndpointError(`port ${port} (${what}) is in use by another program: set ${variable} to a free port`) : error),
    );
    server.listen(port, host, () => ok((server.address() as AddressInfo).port));
  });
}

async function dynamoAnswers(url: string): Promise<boolean> {
  const doc = createDocumentClient({ endpoint: url });
  try {
    return await isEndpointReachable(doc).catch(() => false);
  } finally {
    doc.destroy();
  }
}

/**
 * The DynamoDB of resolved local endpoints: a remote DYNAMODB_ENDPOINT as is; the engine that holds this checkout's
 * data directory when one runs (reused); otherwise dynalite started here on the resolved port (data under
 * `endpoints.dataDir`, or in memory), recorded in <stateDir>/engine.json until it stops. A port that already answers
 * for other data (another checkout's `npm start`) is refused with a one-line `LocalEndpointError` unless the user
 * named it in DYNAMODB_ENDPOINT; so is a data directory another process holds.
 */
export async function openLocalDynamo(endpoints: LocalEndpoints, options: { inMemory?: boolean } = {}): Promise<StartedServer> {
  const { dynamo } = endpoints;
  if (dynamo.remote) return { url: dynamo.url, reused: true, stop: async () => {} };
  if (endpoints.engine && !options.inMemory && (await dynamoAnswers(endpoints.engine.dynamo))) return { url: endpoints.engine.dynamo, reused: true, stop: async () => {} };
  if (dynamo.port !== 0 && (await dynamoAnswers(dynamo.url))) {
    if (options.inMemory || dynamo.explicit) return { url: dynamo.url, reused: true, stop: async () => {} };
    throw new LocalEndpointError(
      `port ${dynamo.port} already answers DynamoDB requests, but not for ${endpoints.dataDir} (another checkout's engine?): set DYNAMO_PORT to a free port, or DYNAMODB_ENDPOINT=${dynamo.url} to use that engine on purpose`,
    );
  }
  return startDynamo({ port: dynamo.port, dataDir: options.inMemory ? null : endpoints.dataDir, reuse: false });
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((ok) => {
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => ok());
    });
}

/** dynalite on `port` (0 = random) with data under `dataDir`, or in memory when dataDir is null. */
/**
 * dynalite on `port` (0 = random) with data under `dataDir`, or in memory when dataDir is null. With data on disk the
 * directory is checked free first and recorded in its state directory's engine.json (the parent of dataDir).
 * `reuse` (default true) returns a server that already answers on the port instead.
 */
export async function startDynamo(options: { port?: number; dataDir?: string | null; reuse?: boolean } = {}): Promise<StartedServer> {
  const port = options.port ?? LOCAL_PORTS.dynamo;
  if (port !== 0 && options.reuse !== false) {
    const url = `http://127.0.0.1:${port}`;
    if (await dynamoAnswers(url)) return { url, reused: true, stop: async () => {} };
  }
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const dataDir = options.dataDir === undefined ? resolve('.local/dynamo') : options.dataDir;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    await assertDataDirFree(dataDir);
  }
  const server = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0, ...(dataDir ? { path: dataDir } : {}) });
  const bound = await listen(server, port, '127.0.0.1', 'DynamoDB', 'DYNAMO_PORT');
  const url = `http://127.0.0.1:${bound}`;
  if (dataDir) writeEngineRecord(dirname(dataDir), { dynamo: url });
  const stop = closer(server);
  return {
    url,
    reused: false,
    stop: async () => {
      await stop();
      if (dataDir) clearEngineRecord(dirname(dataDir));
    },
  };
}

/** The aws-ses-v2-local server: SES v2 API, a mailbox UI at /, raw messages at /get-emlContent?messageId=. */
export async function startSes(options: { port?: number } = {}): Promise<StartedServer> {
  const port = options.port ?? LOCAL_PORTS.ses;
  if (port !== 0) {
    const url = `http://127.0.0.1:${port}`;
    const alive = await fetch(`${url}/health-check`).then((r) => r.ok).catch(() => false);
    if (alive) return { url, reused: true, stop: async () => {} };
  }
  const mod = (await import('aws-ses-v2-local')) as unknown as { default?: unknown };
  const inner = (mod.default ?? mod) as { default?: unknown };
  const start = (typeof inner === 'function' ? inner : inner.default) as (config: { host: string; port: number }) => Promise<Server>;
  const server = await start({ host: '127.0.0.1', port }).catch((error: NodeJS.ErrnoException) => {
    throw error?.code === 'EADDRINUSE' ? new LocalEndpointError(`port ${port} (SES) is in use by another program: set SES_PORT to a free port`) : error;
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, reused: false, stop: closer(server) };
}

/**
 * The project's HTTP API on node:http (helper F's local/http-server.ts `startHttpServer`). Returns undefined with
 * the reason when that module is not there yet.
 */
export async function startHttp(options: { port?: number; env?: Record<string, string> } = {}): Promise<StartedServer | { skipped: string }> {
  const port = options.port ?? LOCAL_PORTS.http;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(['.', 'http-server.js'].join('/'))) as Record<string, unknown>;
  } catch (error) {
    return { skipped: `HTTP server not started: local/http-server.ts is not available (${(error as Error).message.split('\n')[0]})` };
  }
  const start = mod.startHttpServer as ((o: Record<string, unknown>) => Promise<unknown>) | undefined;
  if (typeof start !== 'function') return { skipped: 'HTTP server not started: local/http-server.ts has no startHttpServer export' };
  const started = (await start({ port, host: '127.0.0.1', ...(options.env ? { env: options.env } : {}) })) as
    | (Server & { address(): AddressInfo })
    | { url?: string; port?: number; server?: Server; close?: () => Promise<void> | void; stop?: () => Promise<void> | void };
  if (started && typeof (started as Server).listen === 'function') {
    const s = started as Server;
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, reused: false, stop: closer(s) };
  }
  const o = started as { url?: string; port?: number; server?: Server; close?: () => Promise<void> | void; stop?: () => Promise<void> | void };
  const boundPort = o.port ?? (o.server ? (o.server.address() as AddressInfo).port : port);
  return {
    url: o.url ?? `http://127.0.0.1:${boundPort}`,
    reused: false,
    stop: async () => {
      if (o.stop) await o.stop();
      else if (o.close) await o.close();
      else if (o.server) await closer(o.server)();
    },
  };
}

/**
 * The raw RFC 5322 message the SES server stored for `messageId` (undefined when it holds no such message). The server
 * keeps messages in memory only, so ids of an earlier `npm start` are unknown to it, and asking it for an unknown id
 * crashes it (aws-ses-v2-local answers twice); unless the caller just listed the id, check the store first.
 */
export async function fetchEml(sesUrl: string, messageId: string, options: { listed?: boolean } = {}): Promise<string | undefined> {
  if (!options.listed && !(await listEmails(sesUrl)).some((e) => e.messageId === messageId)) return undefined;
  const res = await fetch(`${sesUrl}/get-emlContent?messageId=${encodeURIComponent(messageId)}`);
  if (!res.ok) return undefined;
  const text = await res.text();
  // The server answers {messageId, fileName, body: <serialized Buffer>}; older versions send the raw message.
  try {
    const json = JSON.parse(text) as { body?: { type?: string; data?: number[] } | string };
    if (typeof json.body === 'string') return json.body;
    if (json.body?.data) return Buffer.from(json.body.data).toString('utf8');
  } catch {
    // not JSON: the raw message itself
  }
  return text;
}

/** Every email the SES server holds. */
export async function listEmails(sesUrl: string): Promise<Array<{ messageId: string; at: number; subject?: string; destination?: { to?: string[] } }>> {
  const res = await fetch(`${sesUrl}/store`);
  if (!res.ok) throw new Error(`SES local server answered ${res.status} for /store`);
  const body = (await res.json()) as { emails?: Array<{ messageId: string; at: number; subject?: string; destination?: { to?: string[] } }> };
  return body.emails ?? [];
}
