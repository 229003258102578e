// `asks import` and `asks seed` against dynalite: bad rows by line, good rows loaded, re-import idempotent.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { run } from '../../../cli/main.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const HEADER = 'id,firstName,lastName,email,timezone,signupDate,orders,consent_email,attr_zip';
const row = (i: number, email = `u${i}@example.com`): string => `u${i},User,${i},${email},Europe/Berlin,2020-03-0${(i % 9) + 1},${i},true,0${i}`;

describe('asks import', () => {
  let db: RunningDynalite;
  let doc: DynamoDBDocumentClient;
  let dir: string;
  beforeAll(async () => {
    db = await startDynalite();
    doc = localDoc(db.endpoint);
    dir = await mkdtemp(join(tmpdir(), 'asks-import-'));
  });
  afterAll(async () => {
    await db.stop();
  });

  async function csv(name: string, lines: string[]): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  }

  it('reports bad rows with their line numbers, loads the good ones and exits 1', async () => {
    // Prepare
    const table = await freshTable(doc);
    const file = await csv('mixed.csv', [HEADER, row(1), row(2, 'nope'), row(3), 'u4,User,4,u4@example.com,Mars/Base,2020-01-01,1,true,', row(5)]);
    // Act
    const r = await run(['import', file, '--endpoint', db.endpoint, '--table', table]);
    // Assess
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^line 3: email: /m);
    expect(r.stdout).toMatch(/^line 5: timezone: /m);
    expect(r.stdout).toContain('2 bad rows skipped (the good rows were loaded)');
    const store = new CustomerStore(doc, table);
    expect((await store.getMany(['u1', 'u2', 'u3', 'u4', 'u5'])).map((c) => c.id)).toEqual(['u1', 'u3', 'u5']);
  });

  it('re-import gives the same counts, no duplicates, and keeps lastAskAt', async () => {
    // Prepare
    const table = await freshTable(doc);
    const file = await csv('good.csv', [HEADER, ...Array.from({ length: 30 }, (_, i) => row(i + 1))]);
    const first = JSON.parse((await run(['import', file, '--endpoint', db.endpoint, '--table', table, '--json'])).stdout);
    const store = new CustomerStore(doc, table);
    await store.recordAsk('u7', '2025-03-07T09:00:00Z', []);
    // Act
    const again = await run(['import', file, '--endpoint', db.endpoint, '--table', table, '--json']);
    // Assess
    const second = JSON.parse(again.stdout);
    expect(again.code).toBe(0);
    expect(first).toMatchObject({ ok: true, rows: 30, loaded: 30, created: 30 });
    expect(second).toMatchObject({ ok: true, rows: 30, loaded: 30, created: 0, unchanged: 30 });
    expect((await store.get('u7'))?.lastAskAt).toBe('2025-03-07T09:00:00Z');
    expect((await store.getMany(Array.from({ length: 30 }, (_, i) => `u${i + 1}`))).length).toBe(30);
  });

  it('a changed row updates the profile and still keeps lastAskAt', async () => {
    // Prepare
    const table = await freshTable(doc);
    await run(['import', await csv('v1.csv', [HEADER, row(1)]), '--endpoint', db.endpoint, '--table', table]);
    const store = new CustomerStore(doc, table);
    await store.recordAsk('u1', '2025-03-07T09:00:00Z', []);
    // Act
    const r = await run(['import', await csv('v2.csv', [HEADER, row(1).replace('User', 'Renamed')]), '--endpoint', db.endpoint, '--table', table, '--json']);
    // Assess
    expect(JSON.parse(r.stdout)).toMatchObject({ updated: 1, created: 0 });
    const got = await store.get('u1');
    expect([got?.firstName, got?.lastAskAt]).toEqual(['Renamed', '2025-03-07T09:00:00Z']);
  });

  it('imports JSONL and reports invalid JSON by line', async () => {
    // Prepare
    const table = await freshTable(doc);
    const path = join(dir, 'c.jsonl');
    await writeFile(path, [JSON.stringify({ id: 'j1', firstName: 'Jo', timezone: 'Asia/Tokyo', signupDate: '2019-01-01' }), '{oops', ''].join('\n'));
    // Act
    const r = await run(['import', path, '--endpoint', db.endpoint, '--table', table, '--json']);
    // Assess
    const result = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(result.loaded).toBe(1);
    expect(result.bad).toEqual([{ line: 2, errors: [expect.stringMatching(/^\(row\): not valid JSON/)] }]);
  });

  it('refuses a header with an unknown column and loads nothing', async () => {
    // Prepare
    const table = await freshTable(doc);
    const file = await csv('typo.csv', ['id,firstName,timezone,signupDate,emial', 'x1,X,UTC,2020-01-01,x@example.com']);
    // Act
    const r = await run(['import', file, '--endpoint', db.endpoint, '--table', table]);
    // Assess
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('line 1: column "emial": unknown column (did you mean "email"?)');
    expect(await new CustomerStore(doc, table).get('x1')).toBeUndefined();
  });

  it('--dry-run validates without a database', async () => {
    // Prepare
    const file = await csv('dry.csv', [HEADER, row(1)]);
    // Act
    const r = await run(['import', file, '--dry-run', '--endpoint', 'http://127.0.0.1:9']);
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 row valid (dry run: nothing written)');
  });

  it('tells the user to run npm start when no local engine answers', async () => {
    // Prepare
    const file = await csv('down.csv', [HEADER, row(1)]);
    // Act
    const r = await run(['import', file, '--endpoint', 'http://127.0.0.1:9']);
    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('npm start');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('asks seed writes deterministic customers, idempotently, some due today', async () => {
    // Prepare
    const table = await freshTable(doc);
    const args = ['seed', '--customers', '300', '--seed', '5', '--today', '2025-06-15', '--endpoint', db.endpoint, '--table', table, '--json'];
    // Act
    const first = JSON.parse((await run(args)).stdout);
    const second = JSON.parse((await run(args)).stdout);
    // Assess
    expect(first).toMatchObject({ customers: 300, created: 300 });
    expect(second).toMatchObject({ customers: 300, created: 0, unchanged: 300 });
    expect(first.dueToday).toBeGreaterThan(0);
    expect(await new CustomerStore(doc, table).get('cus_5_000000')).toBeDefined();
  });
});
