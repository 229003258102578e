// SMS: preview and send share one render-and-fit (core/sms.ts fitAskSms). The case end to end: a customer
// named "Zoë 🎉"; `asks preview --channel sms` prints exactly the text, encoding and segment count that the run then
// writes to the SMS outbox, the text keeps the greeting and the offer, and its short link opens the share page.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import { Customer } from '../../../core/schemas/customer.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { startLocalEnvironment, type LocalEnvironment } from '../../../local/environment.js';
import { runDay } from '../../../local/start.js';
import { freePort } from '../../e2e/harness.js';

const DAY = '2026-12-02';
const ZOE = Customer.parse({
  id: 'zoe-1', firstName: 'Zoë 🎉', lastName: 'Test', email: 'zoe@example.com', phone: '+4915112340001', locale: 'en', timezone: 'Europe/Berlin', country: 'DE',
  signupDate: '2023-12-02', consents: { sms: true, email: true }, preferredChannel: 'sms', counters: { orders: 3 },
});
const stateDir = mkdtempSync(join(tmpdir(), 'asks-sms-'));
const saved = { ...process.env };
let env: LocalEnvironment;

beforeAll(async () => {
  delete process.env.PUBLIC_BASE_URL;
  process.env.LOCAL_STATE_DIR = stateDir;
  env = await startLocalEnvironment({ stateDir, inMemory: true, dynamoPort: 0, sesPort: 0, httpPort: await freePort(), http: true, tableName: 'sms-preview' });
  process.env.PORT = new URL(env.http!.url).port;
  await env.customers.putMany([ZOE]);
  writeFileSync(join(stateDir, 'zoe.json'), JSON.stringify(ZOE));
});

afterAll(async () => {
  await env?.stop();
  process.env = saved;
  rmSync(stateDir, { recursive: true, force: true });
});

describe('asks preview --channel sms and asks run', () => {
  it('preview prints exactly what the run sends for "Zoë 🎉", with the greeting and the offer', async () => {
    const preview = await run(['preview', 'signup-anniversary', '--channel', 'sms', '--customer', join(stateDir, 'zoe.json'), '--date', DAY, '--json']);
    expect(preview.stderr).toBe('');
    const shown = JSON.parse(preview.stdout) as { sms: { text: string; encoding: string; segments: number } };
    const human = await run(['preview', 'signup-anniversary', '--channel', 'sms', '--customer', join(stateDir, 'zoe.json'), '--date', DAY]);
    expect(human.stdout).toContain(shown.sms.text);
    expect(human.stdout).toContain(`${shown.sms.encoding}, ${shown.sms.segments} segment`);

    const result = await runDay(env, definitionFromCdkOut().definition, 'signup-anniversary', DAY);
    expect(result.error).toBeUndefined();
    expect(result.summary?.totals).toMatchObject({ sent: 1 });
    const lines = readFileSync(join(stateDir, 'outbox', 'sms.jsonl'), 'utf8').trim().split('\n');
    const sent = JSON.parse(lines.at(-1)!) as { text: string; encoding: string; segments: number; askId: string };
    expect(sent.askId).toBe('zoe-1~signup_anniversary#2026');
    // The run's clock is the day it ran for (its send hour there unless that day is today), not the wall clock.
    const ask = await env.deps.stores.asks.get('zoe-1', 'signup_anniversary#2026');
    expect(ask?.createdAt.slice(0, 10)).toBe(DAY);
    expect({ text: sent.text, encoding: sent.encoding, segments: sent.segments }).toEqual({ text: shown.sms.text, encoding: shown.sms.encoding, segments: shown.sms.segments });
    // The greeting (the name, or its GSM-7 spelling) and the offer survive; a short link on the same domain.
    expect(sent.text).toMatch(/^Zo(ë 🎉|e), happy 3 years with us!/);
    expect(sent.text).toContain('Give a friend €20, get €15');
    const link = /http:\/\/localhost:\d+\/k\/[A-Za-z0-9_-]{12}/.exec(sent.text)?.[0];
    expect(link).toBeDefined();
    const opened = await fetch(link!.replace('localhost', '127.0.0.1'), { redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toMatch(/\/s\/[A-Za-z0-9_.-]+$/);
  });
});
