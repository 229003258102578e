// People's data end to end on the embedded runtime, in process: the demo (`npm start -- --no-serve` logic) runs with
// debug logging and no log line names a demo customer; then one asked customer shares, gets a click and a converted
// friend, signs up on another advocate's landing page, unsubscribes, and is erased with `asks customer erase`.
// Afterwards no item in the table and no line of the event log holds their id, email, email hash, phone, name or
// subject id (only the documented pseudonymous forms remain), and re-importing them keeps the opt-out.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEnvironment } from '../../../local/environment.js';
import type { Customer } from '../../../core/schemas/customer.js';

const TABLE = 'privacy';
const DEMO_SIZE = 400;
let env: LocalEnvironment;
let stateDir: string;
let demo: Customer[];
const logLines: string[] = [];
let restoreWrites: () => void;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Every item of the table (a test may Scan; no runtime path does). */
async function allItems(): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await env.doc.send(new ScanCommand({ TableName: env.tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const asText = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Set ? [...(x as Set<unknown>)] : x));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { run } = await import('../../../cli/main.js');
  return run([...argv, '--endpoint', env.dynamo.url, '--table', env.tableName]);
}

beforeAll(async () => {
  // Debug logging everywhere, set before any handler module (and its logger) is loaded.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  delete process.env.PUBLIC_BASE_URL;
  stateDir = mkdtempSync(join(tmpdir(), 'asks-privacy-'));
  process.env.EVENTS_FILE = join(stateDir, 'events.jsonl');
  // Capture everything the process writes while the demo runs (loggers write to these streams).
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown): boolean => {
    logLines.push(...String(chunk).split('\n'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  restoreWrites = () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
  const originalConsole = { ...console };
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) console[level] = (...args: unknown[]) => void logLines.push(args.map(String).join(' '));
  try {
    const { startLocalEnvironment } = await import('../../../local/environment.js');
    const { runDemo } = await import('../../../local/start.js');
    const { definitionFromCdkOut } = await import('../../../local/definition.js');
    const { generateCustomers } = await import('../../../core/seed.js');
    env = await startLocalEnvironment({ stateDir, inMemory: true, dynamoPort: 0, sesPort: 0, httpPort: await freePort(), http: true, tableName: TABLE });
    process.env.DEMO_CUSTOMERS = String(DEMO_SIZE);
    const day = new Date().toISOString().slice(0, 10);
    const result = await runDemo(env, definitionFromCdkOut().definition, day, (...s: string[]) => void logLines.push(...s), new Date(Date.now() - 60_000).toISOString());
    logLines.push(...result.lines);
    expect(result.failed).toBe(false);
    const { overseasRegulars } = await import('../../../local/start.js');
    demo = [...generateCustomers({ count: DEMO_SIZE, seed: 42, today: day, dueTodayShare: 0.03 }), ...overseasRegulars(day)];
  } finally {
    restoreWrites();
    Object.assign(console, originalConsole);
  }
}, 180_000);

afterAll(async () => {
  restoreWrites?.();
  await env?.stop();
});

describe('no personal data in logs', () => {
  it('the demo run with debug logging writes no email, phone number or name of a demo customer', () => {
    expect(logLines.length).toBeGreaterThan(5);
    const text = logLines.join('\n');
    // The scan can find what it looks for: the demo's own funnel lines are in the captured text.
    expect(text).toMatch(/signup-anniversary: \d+ counted: \d+ asked/);
    const leaks: string[] = [];
    for (const c of demo) {
      const needles = [c.email, c.phone, [c.firstName, c.lastName].filter(Boolean).join(' ')].filter((n): n is string => n !== undefined && n.length > 0);
      for (const n of needles) if (text.includes(n)) leaks.push(n);
      // A first name on its own, as a word (case-sensitive: "Mia" and not "media").
      if (new RegExp(`(^|[^\\p{L}])${c.firstName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\p{L}]|$)`, 'u').test(text)) leaks.push(c.firstName);
    }
    expect([...new Set(leaks)]).toEqual([]);
    // Nor the simulated friends' addresses (the demo signs them up and converts them).
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@demo\.example/);
  });
});

describe('erase, then re-import', () => {
  let victim: Customer;
  let other: Customer;
  let subjectId: string;
  let receipt: Record<string, unknown>;
  let namesakes: string[] = [];
  let demoActivity = { clicks: 0, shares: 0 };

  beforeAll(async () => {
    const { GSI1_INDEX } = await import('../../../adapters/dynamo/table-def.js');
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const { signToken } = await import('../../../core/links.js');
    const { loadKeyring } = await import('../../../adapters/signing-keys.js');
    const { loadWebhookSecret } = await import('../../../adapters/webhook-secret.js');
    const { signWebhook } = await import('../../../core/webhooks.js');
    // Two customers asked by email today: the victim, and another advocate whose landing page the victim signs up on.
    const asked = (await env.doc.send(new QueryCommand({ TableName: env.tableName, IndexName: GSI1_INDEX, KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': 'ASKS#signup-anniversary' } }))).Items ?? [];
    const byId = new Map(demo.map((c) => [c.id, c]));
    const emailed = asked.filter((a) => a.channel === 'email' && typeof a.referralCode === 'string').map((a) => byId.get(String(a.customerId))!);
    const fullName = (c: Customer) => [c.firstName, c.lastName].filter(Boolean).join(' ');
    victim = emailed.find((c) => c.phone && c.lastName)!;
    // Others who share the full name: an item of theirs may show it (seeded names repeat).
    namesakes = demo.filter((d) => d.id !== victim.id && fullName(d) === fullName(victim)).map((d) => d.id);
    other = emailed.find((c) => c.id !== victim.id)!;
    expect(victim).toBeDefined();
    expect(other).toBeDefined();
    const profile = (await env.doc.send(new GetCommand({ TableName: env.tableName, Key: { PK: `C#${victim.id}`, SK: 'PROFILE' } }))).Item!;
    subjectId = String(profile.subjectId);
    expect(subjectId).toMatch(/^sub_/);
    const ask = asked.find((a) => a.customerId === victim.id)!;
    const code = String(ask.referralCode);
    const otherCode = String(asked.find((a) => a.customerId === other.id)!.referralCode);
    const keyring = await loadKeyring(process.env);
    const base = env.http!.url;
    // The demo's simulated friends may already have shared and clicked the victim's link: count from there.
    const exported = JSON.parse((await cli('customer', 'export', victim.id, '--json')).stdout) as { referrals: Array<{ activity: { clicks: number; shares: { total: number } } }> };
    demoActivity = { clicks: exported.referrals[0]?.activity.clicks ?? 0, shares: exported.referrals[0]?.activity.shares.total ?? 0 };
    const browser = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' };
    // A share, and a friend's click on the victim's link.
    const share = signToken({ p: 'share', c: victim.id, k: 'signup-anniversary', o: ask.milestone.occurrenceId, r: code }, keyring);
    expect((await fetch(`${base}/s/${share}/to/copy`, { headers: browser })).status).toBe(204);
    const clicked = await fetch(`${base}/r/${code}`, { redirect: 'manual', headers: browser });
    const clickId = new URL(clicked.headers.get('location')!).searchParams.get('click')!;
    // That friend converts (signed webhook): rewards for both sides in the victim's ledger.
    const secret = await loadWebhookSecret(process.env);
    const body = JSON.stringify({ type: 'purchase', amountMinor: 4999, currency: 'EUR', idempotencyKey: 'privacy-1', externalCustomerId: 'friend-of-victim', email: 'friend.of.victim@example.org', clickId, referralCode: code, occurredAt: new Date().toISOString() });
    const ts = Math.floor(Date.now() / 1000);
    const conv = await fetch(`${base}/conversions`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-referral-timestamp': String(ts), 'x-referral-signature': signWebhook(secret, ts, body) } });
    expect(conv.status).toBe(200);
    expect(await conv.json()).toMatchObject({ status: 'recorded', rewards: [expect.anything(), expect.anything()] });
    // The victim, as someone else's friend, signs up on that advocate's landing page (marketing box ticked).
    const lead = await fetch(`${base}/l/signup-anniversary`, { method: 'POST', headers: { ...browser, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: victim.firstName, email: victim.email!, ref: otherCode, marketing: 'on' }).toString() });
    expect(lead.status).toBe(200);
    // And unsubscribes from email with the one-click link.
    const unsub = signToken({ p: 'unsub', c: victim.id, k: 'signup-anniversary' }, keyring);
    expect((await fetch(`${base}/u/${unsub}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBeLessThan(400);
    // Before: the table holds the victim's data in many places (so the check below can fail).
    const before = asText(await allItems());
    for (const needle of [victim.id, victim.email!, victim.phone!, subjectId]) expect(before).toContain(needle);
  }, 60_000);

  it('`asks customer <id>` shows the consent ledger: the import and the unsubscribe, with time, source and channel', async () => {
    const res = await cli('customer', victim.id, '--json');
    expect(res.code).toBe(0);
    const view = JSON.parse(res.stdout) as { consents: { ledger: Array<{ source: string; channel: string; granted: boolean; at: string }> } };
    expect(view.consents.ledger).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'import' }), expect.objectContaining({ source: 'unsubscribe', channel: 'email', granted: false })]));
    for (const entry of view.consents.ledger) expect(entry.at).toMatch(/Z$/);
    const human = await cli('customer', victim.id);
    expect(human.stdout).toMatch(/consent ledger \(\d+\):[\s\S]*unsubscribe\s+email\s+withdrawn/);
  });

  it('`asks customer export <id>` returns profile, consents, asks, referrals and rewards', async () => {
    const res = await cli('customer', 'export', victim.id, '--json');
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout) as {
      profile: unknown;
      consents: { ledger: unknown[] };
      asks: unknown[];
      referrals: unknown[];
      rewards: { asAdvocate: unknown[] };
      asFriend: { leads: unknown[] };
    };
    expect(data.profile).toMatchObject({ id: victim.id, email: victim.email });
    expect(data.consents.ledger.length).toBeGreaterThan(0);
    expect(data.asks.length).toBeGreaterThan(0);
    expect(data.referrals[0]).toMatchObject({ activity: { clicks: demoActivity.clicks + 1, shares: { total: demoActivity.shares + 1 } } });
    expect(data.rewards.asAdvocate.length).toBeGreaterThan(0);
    expect(data.asFriend.leads).toEqual([expect.objectContaining({ email: victim.email!.toLowerCase(), marketingConsent: true })]);
    expect((await cli('customer', 'export', 'nobody-here', '--json')).code).toBe(1);
  });

  it('`asks customer erase <id>` leaves none of the identifiers in the table or the event log, only pseudonyms', async () => {
    const { emailHashOf } = await import('../../../core/conversions.js');
    const res = await cli('customer', 'erase', victim.id, '--json');
    expect(res.code, res.stderr).toBe(0);
    receipt = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(receipt).toMatchObject({ pseudonym: expect.stringMatching(/^anon_/), suppressionsHashed: 1 });
    expect(receipt.deleted as number).toBeGreaterThan(5);
    const name = `${victim.firstName} ${victim.lastName}`;
    const needles = [victim.id, victim.email!, victim.email!.toLowerCase(), emailHashOf(victim.email!), victim.phone!, subjectId];
    const items = await allItems();
    const namesake = (text: string) => namesakes.some((id) => text.includes(`"${id}"`));
    const leaks = items.filter((i) => {
      const text = asText(i);
      return needles.some((n) => text.includes(n)) || (text.includes(name) && !namesake(text)) || (text.includes(`"${victim.firstName}"`) && text.includes(`"${victim.lastName}"`) && !namesake(text));
    });
    expect(leaks).toEqual([]);
    // The subject id appears in the events (the documented pseudonymous form), but the table no longer maps it.
    const events = readFileSync(join(stateDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(events.some((l) => l.includes(subjectId))).toBe(true);
    expect(events.filter((l) => needles.filter((n) => n !== subjectId).some((n) => l.includes(n)) || l.includes(victim.firstName) || l.includes(victim.lastName!))).toEqual([]);
    expect(events.some((l) => l.includes('referral.customer.erased') && l.includes(String(receipt.pseudonym)))).toBe(true);
    // What stays: the ledger under the pseudonym with its amounts, the hashed opt-out and the receipt.
    const ledger = items.filter((i) => i.PK === `L#${String(receipt.pseudonym)}`);
    expect(ledger.length).toBeGreaterThan(0);
    for (const e of ledger) expect(typeof e.amountMinor).toBe('number');
    expect(items.filter((i) => String(i.PK).startsWith('S#H#'))).toHaveLength(1);
    expect(items.some((i) => i.PK === `ERASED#${String(receipt.pseudonym)}` && i.SK === 'RECEIPT')).toBe(true);
    // The other advocate is untouched.
    expect(items.some((i) => i.PK === `C#${other.id}` && i.SK === 'PROFILE')).toBe(true);
  });

  it('re-importing the erased customer keeps their email opt-out (the keyed hash is looked up)', async () => {
    const file = join(stateDir, 'reimport.jsonl');
    writeFileSync(file, `${JSON.stringify({ ...victim, consents: { email: true, sms: true } })}\n`);
    const res = await cli('import', file, '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ created: 1, suppressed: 1 });
    const profile = (await env.doc.send(new GetCommand({ TableName: env.tableName, Key: { PK: `C#${victim.id}`, SK: 'PROFILE' } }))).Item!;
    expect(profile.consents).toMatchObject({ email: false, sms: true });
    // The run's suppression lookup finds the hashed form too.
    const { DynamoAskStore } = await import('../../../adapters/dynamo/asks.js');
    const { loadKeyring } = await import('../../../adapters/signing-keys.js');
    const found = await new DynamoAskStore(env.doc, env.tableName, () => loadKeyring(process.env)).suppressed([victim.email!, victim.phone!]);
    expect([...found]).toEqual([victim.email!.toLowerCase()]);
    // A fresh subject id: the events written before the erasure stay unlinked.
    expect(profile.subjectId).not.toBe(subjectId);
  });
});

describe('retention and the referred friend', () => {
  it('the landing page asks for marketing consent with an unchecked box, and a lead stores the answer', async () => {
    const page = await (await fetch(`${env.http!.url}/l/signup-anniversary`)).text();
    const box = page.match(/<input[^>]*name="marketing"[^>]*>/)?.[0];
    expect(box).toMatch(/type="checkbox"/);
    expect(box).not.toMatch(/checked/);
    const form = new URLSearchParams({ name: 'Quinn', email: 'quinn.friend@example.org' }).toString();
    expect((await fetch(`${env.http!.url}/l/signup-anniversary`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).status).toBe(200);
    const leads = (await allItems()).filter((i) => i.entity === 'lead' && i.email === 'quinn.friend@example.org');
    expect(leads).toEqual([expect.objectContaining({ marketingConsent: false, expiresAt: expect.any(Number) })]);
  });

  it('`asks retention sweep` deletes clicks and leads past the retention period and keeps the rest', async () => {
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const put = (Item: Record<string, unknown>) => env.doc.send(new PutCommand({ TableName: env.tableName, Item }));
    await put({ PK: 'R#oldcode2345', SK: 'CLICK#old-1', entity: 'click', visitorId: 'v-old', at: old }); // before expiresAt existed
    await put({ PK: 'R#oldcode2345', SK: 'LEAD#old-2', entity: 'lead', email: 'old@example.org', at: old, expiresAt: Math.floor(Date.now() / 1000) - 10 });
    await put({ PK: 'R#oldcode2345', SK: 'CLICK#new-1', entity: 'click', visitorId: 'v-new', at: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + 86_400 });
    const res = await cli('retention', 'sweep', '--json');
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ retentionDays: 180, deleted: { click: 1, lead: 1 } });
    const left = (await allItems()).filter((i) => i.PK === 'R#oldcode2345').map((i) => i.SK);
    expect(left).toEqual(['CLICK#new-1']);
    expect((await cli('retention', 'sweep', '--days', '-3')).code).toBe(2);
  });
});

describe('customer.erasure.requested on the bus', () => {
  it('the Lambda erases by email, logs only the pseudonym, and drops a malformed request without echoing it', async () => {
    const { makeErasureHandler } = await import('../../../functions/privacy/erasure-requested.js');
    const { loadKeyring } = await import('../../../adapters/signing-keys.js');
    const { MemoryPublisher } = await import('../../../adapters/eventbridge.js');
    const target = demo.find((c) => c.email && c.phone)!;
    const logged: string[] = [];
    const logger = { info: (m: string, e?: unknown) => void logged.push(`${m} ${JSON.stringify(e)}`), warn: (m: string, e?: unknown) => void logged.push(`${m} ${JSON.stringify(e)}`) };
    const publisher = new MemoryPublisher();
    const handler = makeErasureHandler({ doc: env.doc, tableName: env.tableName, keyring: () => loadKeyring(process.env), clock: { now: () => new Date() }, publisher, logger });
    const envelope = (detail: unknown) => ({ version: '0', id: 'e-1', 'detail-type': 'customer.erasure.requested', source: 'crm', account: '123456789012', time: new Date().toISOString(), region: 'eu-west-1', resources: [], detail });
    const out = await handler(envelope({ email: target.email!.toUpperCase() }));
    expect(out).toMatchObject({ status: 'erased', receipt: { pseudonym: expect.stringMatching(/^anon_/), requestedBy: 'event' } });
    expect((await env.doc.send(new GetCommand({ TableName: env.tableName, Key: { PK: `C#${target.id}`, SK: 'PROFILE' } }))).Item).toBeUndefined();
    expect(publisher.events.map((e) => e.detailType)).toEqual(['referral.customer.erased.v1']);
    expect(await handler(envelope({ email: 'not-an-address', secret: target.phone }))).toMatchObject({ status: 'invalid' });
    expect(await handler(envelope({ customerId: 'nobody-stored-here' }))).toEqual({ status: 'not_found' });
    const text = logged.join('\n');
    for (const needle of [target.id, target.email!, target.email!.toUpperCase(), target.phone!, 'not-an-address']) expect(text).not.toContain(needle);
  });
});
