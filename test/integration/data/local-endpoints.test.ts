// One resolution of the local endpoints for `npm start`, every `asks` command and the tests (local/endpoints.ts):
// the table of environments → ports, and the real processes: `asks import` with DYNAMO_PORT and PORT set writes into
// the running environment's data; a second process on a data directory in use gets one line, not a stack trace.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { engineFile, LocalEndpointError, resolveLocalEndpoints } from '../../../local/endpoints.js';
import { startLocalEnvironment, type LocalEnvironment } from '../../../local/environment.js';
import { freePort } from '../../e2e/harness.js';
import { startDynalite } from '../../helpers/dynalite.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

/** `asks <args>` as its own process (the way a user runs it), with only the given variables beyond PATH/HOME. */
async function asks(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  try {
    const r = await exec(process.execPath, [join(ROOT, 'bin/asks.js'), ...args], { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('resolveLocalEndpoints', () => {
  const empty = mkdtempSync(join(tmpdir(), 'asks-endpoints-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));
  // [what, env, expected dynamo/ses/http ports and base url]
  const rows: Array<[string, Record<string, string>, { dynamo: number; ses: number; http: number; base: string }]> = [
    ['defaults', {}, { dynamo: 8700, ses: 8705, http: 3000, base: 'http://localhost:3000' }],
    // The issue: the data commands ignored DYNAMO_PORT.
    ['DYNAMO_PORT and PORT from the issue', { DYNAMO_PORT: '4401', PORT: '4400' }, { dynamo: 4401, ses: 8705, http: 4400, base: 'http://localhost:4400' }],
    ['all three ports', { DYNAMO_PORT: '4401', SES_PORT: '4402', PORT: '4400' }, { dynamo: 4401, ses: 4402, http: 4400, base: 'http://localhost:4400' }],
    ['a loopback DYNAMODB_ENDPOINT is a port', { DYNAMODB_ENDPOINT: 'http://127.0.0.1:4411' }, { dynamo: 4411, ses: 8705, http: 3000, base: 'http://localhost:3000' }],
    ['DYNAMODB_ENDPOINT agreeing with DYNAMO_PORT', { DYNAMODB_ENDPOINT: 'http://localhost:4401', DYNAMO_PORT: '4401' }, { dynamo: 4401, ses: 8705, http: 3000, base: 'http://localhost:3000' }],
    ['PUBLIC_BASE_URL wins for links', { PORT: '4400', PUBLIC_BASE_URL: 'https://refer.example.com/' }, { dynamo: 8700, ses: 8705, http: 4400, base: 'https://refer.example.com' }],
  ];
  it.each(rows)('%s', (_what, env, expected) => {
    const r = resolveLocalEndpoints({ env, stateDir: empty });
    expect({ dynamo: r.dynamo.port, ses: r.ses.port, http: r.http.port, base: r.publicBaseUrl }).toEqual(expected);
    expect(r.dataDir).toBe(join(empty, 'dynamo'));
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['a port that is not a number', { DYNAMO_PORT: 'abc' }, /DYNAMO_PORT must be a port number/],
    ['a port out of range', { PORT: '70000' }, /PORT must be a port number/],
    ['two different DynamoDB ports', { DYNAMO_PORT: '4401', DYNAMODB_ENDPOINT: 'http://127.0.0.1:4402' }, /name different ports/],
  ];
  it.each(bad)('refuses %s in one line', (_what, env, message) => {
    expect(() => resolveLocalEndpoints({ env, stateDir: empty })).toThrow(LocalEndpointError);
    expect(() => resolveLocalEndpoints({ env, stateDir: empty })).toThrow(message);
  });

  it('uses a remote DYNAMODB_ENDPOINT as is', () => {
    const r = resolveLocalEndpoints({ env: { DYNAMODB_ENDPOINT: 'https://dynamodb.eu-west-1.amazonaws.com' }, stateDir: empty });
    expect(r.dynamo.remote).toBe('https://dynamodb.eu-west-1.amazonaws.com');
  });
});

describe('npm start and asks on non-default ports', () => {
  let env: LocalEnvironment;
  let stateDir: string;
  let ports: { dynamo: number; ses: number; http: number };
  const saved = { ...process.env };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'asks-endpoints-run-'));
    ports = { dynamo: await freePort(), ses: await freePort(), http: await freePort() };
    // As `DYNAMO_PORT=… SES_PORT=… PORT=… npm start` does: everything from the environment, data on disk.
    Object.assign(process.env, { DYNAMO_PORT: String(ports.dynamo), SES_PORT: String(ports.ses), PORT: String(ports.http), LOCAL_STATE_DIR: stateDir });
    delete process.env.DYNAMODB_ENDPOINT;
    delete process.env.PUBLIC_BASE_URL;
    delete process.env.TABLE_NAME;
    env = await startLocalEnvironment({ http: true });
  });
  afterAll(async () => {
    await env?.stop();
    process.env = saved;
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts on the ports of the environment and records them for the data directory', () => {
    expect(env.dynamo.url).toBe(`http://127.0.0.1:${ports.dynamo}`);
    expect(env.ses.url).toBe(`http://127.0.0.1:${ports.ses}`);
    expect(env.http?.url).toBe(`http://127.0.0.1:${ports.http}`);
    expect(env.publicBaseUrl).toBe(`http://localhost:${ports.http}`);
    expect(resolveLocalEndpoints({ env: {}, stateDir }).dynamo).toMatchObject({ port: ports.dynamo, source: 'engine' });
  });

  it('a second npm start on the same checkout says npm start is already running there, not "in use by another program"', async () => {
    const error = await startLocalEnvironment({ http: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalEndpointError);
    expect((error as Error).message).toMatch(new RegExp(`^npm start is already running for .* \\(process ${process.pid}, pages on http://127\\.0\\.0\\.1:${ports.http}\\): stop it first`));
  });

  it('`asks import` with DYNAMO_PORT and PORT set writes into that server\'s data', async () => {
    const file = join(stateDir, 'people.csv');
    writeFileSync(file, 'id,firstName,email,timezone,signupDate\nport-1,Ada,ada@example.com,Europe/Berlin,2020-03-01\n');
    const r = await asks(['import', file, '--json'], { DYNAMO_PORT: String(ports.dynamo), PORT: String(ports.http), LOCAL_STATE_DIR: stateDir });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(await new CustomerStore(env.doc, env.tableName).get('port-1')).toMatchObject({ id: 'port-1', firstName: 'Ada' });
  });

  // [what, the second process's environment, the one line it must print]
  const second: Array<[string, () => Record<string, string>, RegExp]> = [
    // The issue: with npm start on another port, `asks import` opened the same data directory and crashed.
    ['another DYNAMO_PORT on the data directory in use', () => ({ DYNAMO_PORT: String(ports.dynamo + 1), LOCAL_STATE_DIR: stateDir }), /data directory .* is in use by process \d+ \(DynamoDB on port \d+\): use DYNAMO_PORT=\d+/],
    ['no DYNAMO_PORT: finds the engine by its record', () => ({ LOCAL_STATE_DIR: stateDir }), /^$/],
  ];
  it.each(second)('a second process: %s', async (_what, envOf, message) => {
    const r = await asks(['plan', 'signup-anniversary', '--json'], envOf());
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (message.source === '^$') expect(r.code).toBe(0);
    else {
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('a data directory held without a record (an older process) is one line too', async () => {
    rmSync(engineFile(stateDir));
    try {
      const r = await asks(['import', join(stateDir, 'people.csv')], { DYNAMO_PORT: String(await freePort()), LOCAL_STATE_DIR: stateDir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^error: the data directory .* is in use by another process/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      writeFileSync(engineFile(stateDir), JSON.stringify({ pid: process.pid, dynamo: env.dynamo.url, startedAt: new Date().toISOString() }));
    }
  });

  it('a port that answers for another checkout is refused, not written into', async () => {
    const foreign = await startDynalite();
    const otherState = mkdtempSync(join(tmpdir(), 'asks-endpoints-other-'));
    try {
      const port = new URL(foreign.endpoint).port;
      const r = await asks(['import', join(stateDir, 'people.csv')], { DYNAMO_PORT: port, LOCAL_STATE_DIR: otherState });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(new RegExp(`^error: port ${port} already answers DynamoDB requests, but not for`));
    } finally {
      await foreign.stop();
      rmSync(otherState, { recursive: true, force: true });
    }
  });
});
