// One resolution of the local endpoints (ports, state and data directory, table) for every entry point: `npm start`,
// every `asks` command, the bench and the tests. Precedence for each value: an explicit option (tests pass port 0),
// then the environment (DYNAMO_PORT or a loopback DYNAMODB_ENDPOINT, SES_PORT, PORT, PUBLIC_BASE_URL, TABLE_NAME,
// LOCAL_STATE_DIR), then the engine already running on this checkout's data directory (recorded in
// <stateDir>/engine.json by whoever started it), then the defaults (3000, 8700, 8705, .local).
//
// The data directory belongs to one process (leveldb locks it). A second process that wants it on another port, or a
// port that answers for another checkout's data, gets a `LocalEndpointError`: one line that says what to do.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Default local ports: the HTTP API and pages, dynalite, the SES v2 local server. */
export const LOCAL_PORTS = { http: 3000, dynamo: 8700, ses: 8705 } as const;
export const LOCAL_TABLE = 'referral-asks-local';

/** A problem with the local endpoints, said in one line (the CLI and `npm start` print only the message). */
export class LocalEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalEndpointError';
  }
}

export interface LocalEndpoint {
  port: number;
  url: string;
  /** Where the port came from: an option, the environment, the running engine's record, or the default. */
  source: 'option' | 'env' | 'engine' | 'default';
}

export interface LocalEndpoints {
  /** Absolute directory for local state (keys, mailbox, outbox, events). */
  stateDir: string;
  /** Absolute leveldb directory of dynalite (stateDir/dynamo). */
  dataDir: string;
  tableName: string;
  dynamo: LocalEndpoint & {
    /** Set when DYNAMODB_ENDPOINT (or --endpoint) names an engine that is not on this machine: used as is. */
    remote?: string;
    /** True when the user named this engine's URL (DYNAMODB_ENDPOINT or --endpoint): reused whoever serves it. */
    explicit?: boolean;
  };
  ses: LocalEndpoint;
  http: LocalEndpoint;
  /** Base of every link (PUBLIC_BASE_URL, else http://localhost:<http port>). */
  publicBaseUrl: string;
  /** The process that holds the data directory now (from engine.json, checked alive), if any. */
  engine?: EngineRecord;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  stateDir?: string;
  dynamoPort?: number;
  sesPort?: number;
  httpPort?: number;
  tableName?: string;
  /** An explicit DynamoDB endpoint (the CLI's --endpoint); wins over DYNAMO_PORT and DYNAMODB_ENDPOINT. */
  dynamoEndpoint?: string;
  /** Refuse a DynamoDB port other than the one serving the data directory (default true; false for link bases). */
  checkDataDir?: boolean;
}

/** What `<stateDir>/engine.json` holds while a process serves the data directory. */
export interface EngineRecord {
  pid: number;
  dynamo: string;
  ses?: string;
  http?: string;
  startedAt: string;
}

/** A port from an environment variable; throws a one-line error for anything but an integer 0-65535. */
export function parsePort(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new LocalEndpointError(`${name} must be a port number 0-65535 (got "${value}")`);
  return n;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1', '0.0.0.0']);

/** The port of a loopback URL (undefined for another host). Throws for a URL that does not parse. */
function loopbackPort(name: string, url: string): number | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LocalEndpointError(`${name} is not a URL (got "${url}")`);
  }
  if (!LOOPBACK.has(parsed.hostname)) return undefined;
  return Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function engineFile(stateDir: string): string {
  return join(stateDir, 'engine.json');
}

/** The live engine record of a state directory (undefined when none, or when its process is gone). */
export function readEngineRecord(stateDir: string): EngineRecord | undefined {
  const file = engineFile(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as EngineRecord;
    return typeof record.dynamo === 'string' && pidAlive(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Record (or update) that this process serves the state directory's data. */
export function writeEngineRecord(stateDir: string, record: Omit<EngineRecord, 'pid' | 'startedAt'> & Partial<EngineRecord>): void {
  mkdirSync(stateDir, { recursive: true });
  const full: EngineRecord = { pid: process.pid, startedAt: new Date().toISOString(), ...record };
  writeFileSync(engineFile(stateDir), `${JSON.stringify(full, null, 2)}\n`);
}

/** Remove the record when it is this process's own. */
export function clearEngineRecord(stateDir: string): void {
  const file = engineFile(stateDir);
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as EngineRecord;
    if (record.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // nothing recorded
  }
}

function endpoint(port: number, source: LocalEndpoint['source']): LocalEndpoint {
  return { port, url: `http://127.0.0.1:${port}`, source };
}

/**
 * Resolve every local endpoint once. Pure apart from reading `<stateDir>/engine.json`. Throws `LocalEndpointError`
 * for a malformed variable, for DYNAMO_PORT and DYNAMODB_ENDPOINT naming two different ports, and for a DynamoDB port
 * that differs from the one the process holding the data directory serves on.
 */
export function resolveLocalEndpoints(options: ResolveOptions = {}): LocalEndpoints {
  const env = options.env ?? process.env;
  const stateDir = resolve(options.stateDir ?? (env.LOCAL_STATE_DIR || '.local'));
  const dataDir = join(stateDir, 'dynamo');
  const tableName = options.tableName ?? (env.TABLE_NAME || LOCAL_TABLE);
  const engine = readEngineRecord(stateDir);
  const enginePort = (url: string | undefined) => (url ? loopbackPort('engine.json', url) : undefined);

  // DynamoDB: --endpoint, then DYNAMO_PORT / DYNAMODB_ENDPOINT (which must agree), then the running engine, then 8700.
  let dynamo: LocalEndpoints['dynamo'];
  const envDynamoPort = parsePort('DYNAMO_PORT', env.DYNAMO_PORT);
  const explicitUrl = options.dynamoEndpoint ?? (env.DYNAMODB_ENDPOINT || undefined);
  const explicitName = options.dynamoEndpoint ? '--endpoint' : 'DYNAMODB_ENDPOINT';
  if (options.dynamoPort !== undefined) dynamo = endpoint(options.dynamoPort, 'option');
  else if (explicitUrl !== undefined) {
    const port = loopbackPort(explicitName, explicitUrl);
    if (port === undefined) dynamo = { ...endpoint(0, 'env'), url: explicitUrl.replace(/\/$/, ''), remote: explicitUrl };
    else {
      if (envDynamoPort !== undefined && envDynamoPort !== port && !options.dynamoEndpoint) {
        throw new LocalEndpointError(`DYNAMO_PORT=${envDynamoPort} and DYNAMODB_ENDPOINT=${explicitUrl} name different ports: set one of them`);
      }
      dynamo = { ...endpoint(port, options.dynamoEndpoint ? 'option' : 'env'), explicit: true };
    }
  } else if (envDynamoPort !== undefined) dynamo = endpoint(envDynamoPort, 'env');
  else {
    const p = enginePort(engine?.dynamo);
    dynamo = p !== undefined ? endpoint(p, 'engine') : endpoint(LOCAL_PORTS.dynamo, 'default');
  }
  if (engine && !dynamo.remote && dynamo.port !== 0 && options.checkDataDir !== false) {
    const held = enginePort(engine.dynamo);
    if (held !== undefined && held !== dynamo.port) {
      throw new LocalEndpointError(
        `the data directory ${dataDir} is in use by process ${engine.pid} (DynamoDB on port ${held}): use DYNAMO_PORT=${held}, or stop that process first`,
      );
    }
  }

  const envSes = parsePort('SES_PORT', env.SES_PORT);
  const sesEngine = enginePort(engine?.ses);
  const ses =
    options.sesPort !== undefined ? endpoint(options.sesPort, 'option') : envSes !== undefined ? endpoint(envSes, 'env') : sesEngine !== undefined ? endpoint(sesEngine, 'engine') : endpoint(LOCAL_PORTS.ses, 'default');

  const envHttp = parsePort('PORT', env.PORT);
  const httpEngine = enginePort(engine?.http);
  const http =
    options.httpPort !== undefined ? endpoint(options.httpPort, 'option') : envHttp !== undefined ? endpoint(envHttp, 'env') : httpEngine !== undefined ? endpoint(httpEngine, 'engine') : endpoint(LOCAL_PORTS.http, 'default');
  const publicBaseUrl = (env.PUBLIC_BASE_URL || `http://localhost:${http.port}`).replace(/\/$/, '');

  return { stateDir, dataDir, tableName, dynamo, ses, http, publicBaseUrl, ...(engine ? { engine } : {}) };
}

const require = createRequire(import.meta.url);

/**
 * Throws a one-line `LocalEndpointError` when another process holds the leveldb lock of `dataDir` (a process that
 * left no engine record, e.g. an older checkout's `npm start`). Opens and closes the database to find out.
 */
export async function assertDataDirFree(dataDir: string): Promise<void> {
  if (!existsSync(join(dataDir, 'LOCK'))) return;
  const levelRequire = createRequire(require.resolve('dynalite'));
  const { Level } = levelRequire('level') as { Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> } };
  const db = new Level(dataDir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String((error as Error).message))) {
      throw new LocalEndpointError(`the data directory ${dataDir} is in use by another process: stop it (or use its DYNAMO_PORT) and try again`);
    }
    throw error;
  }
  await db.close();
}
