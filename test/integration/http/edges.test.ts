// The HTTP edges as people and machines use them, over real HTTP against dynalite: HEAD on every page answers like
// GET and records nothing; machines are not counted; codes are normalized wherever one enters; the landing page shows
// landing.headline, never the campaign's internal name; the route list is the router's table and the gateway's.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, freshTable, localDoc, type RunningDynalite } from '../../helpers/dynalite.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { codeKey } from '../../../adapters/dynamo/keys.js';
import { ShortLinkStore } from '../../../adapters/dynamo/short-links.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { nanoIds, systemClock } from '../../../adapters/clock.js';
import { generateKeyring, normalizeReferralCode, signToken } from '../../../core/links.js';
import { ConversionInput } from '../../../core/schemas/conversion.js';
import { Customer } from '../../../core/schemas/customer.js';
import { startHttpServer } from '../../../local/http-server.js';
import { API_ROUTES, gatewayRoutes } from '../../../functions/http/route-list.js';
import { routes } from '../../../functions/http/routes/index.js';
import { HTTP_ROUTES } from '../../../infra/http-stack.js';
import type { HttpDeps } from '../../../functions/http/deps.js';
import { toGatewayResult } from '../../../functions/http/api.js';
import { handleHttp } from '../../../functions/http/handle.js';

const CODE = 'abcd2345ef';
const SHORT = 'Sh0rtL1nk-_x';
const BROWSER = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36';
const keyring = generateKeyring(randomBytes, 't1');
const occurrenceId = 'signup_anniversary#2026';
let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
let server: { url: string; close(): Promise<void> };
let httpDeps: HttpDeps;
let publisher: MemoryPublisher;
const token = (p: 'share' | 'unsub' | 'status' | 'inapp' | 'prefs') => signToken({ p, c: 'adv-1', k: 'signup-anniversary', o: occurrenceId, r: CODE }, keyring);

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
  table = await freshTable(doc, 'edges');
  await new CustomerStore(doc, table).put(Customer.parse({ id: 'adv-1', firstName: 'Olivia', email: 'olivia@example.com', timezone: 'Europe/Berlin', signupDate: '2023-11-25', consents: { email: true } }));
  const now = new Date().toISOString();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: { PK: 'C#adv-1', SK: `ASK#${occurrenceId}`, entity: 'ask', askId: `adv-1~${occurrenceId}`, customerId: 'adv-1', campaignId: 'signup-anniversary', runId: 'r1', milestone: { kind: 'signup_anniversary', occurrenceId, occurredOn: '2026-11-25', years: 3 }, status: 'sent', variantId: 'warm-thanks', createdAt: now, updatedAt: now },
    }),
  );
  await doc.send(new PutCommand({ TableName: table, Item: { ...codeKey(CODE), code: CODE, customerId: 'adv-1', campaignId: 'signup-anniversary', askId: `adv-1~${occurrenceId}`, firstName: 'Olivia' } }));
  await new ShortLinkStore(doc, table).put(SHORT, token('share'), now);
  publisher = new MemoryPublisher();
  const deps: HttpDeps = { doc, tableName: table, keyring, clock: systemClock, ids: nanoIds, baseUrl: 'http://localhost:3000', campaigns: new FileCampaignRepository(), publisher, insecureCookies: true };
  httpDeps = deps;
  server = await startHttpServer({ port: 0, deps });
});

afterAll(async () => {
  await server?.close();
  await dynamo?.stop();
});

const request = (method: string, path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { method, redirect: 'manual', headers: { 'user-agent': BROWSER, ...headers } });

/** Everything stored, as a comparable snapshot (items and their counters). */
async function snapshot(): Promise<string> {
  const out = await doc.send(new ScanCommand({ TableName: table }));
  return JSON.stringify((out.Items ?? []).map((i) => `${String(i.PK)}|${String(i.SK)}|${String(i.shareVisits ?? '')}`).sort());
}

describe('HEAD on every page', () => {
  // [route id, path]: every GET route of the list (a new one without a row fails the coverage test below).
  const rows: Array<[string, () => string]> = [
    // The failing inputs: HEAD /r/{code} stored a click and set cookies; HEAD /s/{token} counted a visit.
    ['click', () => `/r/${CODE}`],
    ['sharePage', () => `/s/${token('share')}`],
    ['shareTo', () => `/s/${token('share')}/to/whatsapp`],
    ['shortShare', () => `/k/${SHORT}`],
    ['terms', () => '/t/signup-anniversary'],
    ['landing', () => `/l/signup-anniversary?ref=${CODE}`],
    ['asset', () => '/assets/share.js'],
    ['unsubscribeConfirm', () => `/u/${token('unsub')}`],
    ['preferences', () => `/p/${token('prefs')}`],
    ['inappList', () => `/inapp/asks?token=${token('inapp')}`],
    ['status', () => `/me/${token('status')}`],
  ];

  it('has a row for every GET route', () => {
    expect(rows.map(([id]) => id).sort()).toEqual(API_ROUTES.filter((r) => r.method === 'GET').map((r) => r.id).sort());
  });

  it.each(rows)('HEAD %s answers like GET, without a body, and records nothing', async (_id, path) => {
    const before = await snapshot();
    const events = publisher.events.length;
    const head = await request('HEAD', path());
    expect(await head.text()).toBe('');
    expect(head.headers.get('set-cookie')).toBeNull();
    expect(await snapshot()).toBe(before);
    expect(publisher.events.length).toBe(events);
    const get = await request('GET', path());
    expect(head.status).toBe(get.status);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    // Same destination (a click id is drawn per request).
    const place = (r: Response) => r.headers.get('location')?.replace(/([?&]click=)[^&]+/, '$1…') ?? null;
    expect(place(head)).toBe(place(get));
  });

  it('HEAD on an unknown page is the 404 without a body', async () => {
    const res = await request('HEAD', '/nowhere');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });
});

describe('machines are not counted', () => {
  // [who, agent, counted]
  const rows: Array<[string, string, boolean]> = [
    ['a phone browser', BROWSER, true],
    ['Instagram in-app', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 339.0.3.12.91 (iPhone14,5; iOS 17_5; en_US; en; scale=3.00; 1170x2532; 621367442)', true],
    // The failing inputs.
    ['Mastodon preview', 'http.rb/5.1.1 (Mastodon/4.2.0; +https://social.example/)', false],
    ['Iframely', 'Iframely/1.3.1', false],
    ['SafeLinks', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36 SafeLinks', false],
  ];
  it.each(rows)('%s', async (_who, ua, counted) => {
    const before = (await snapshot()).split('CLICK#').length;
    const res = await request('GET', `/r/${CODE}`, { 'user-agent': ua });
    expect(res.status).toBe(302);
    expect((await snapshot()).split('CLICK#').length - before).toBe(counted ? 1 : 0);
    expect(res.headers.get('set-cookie') !== null).toBe(counted);
  });
});

describe('codes are normalized wherever one enters', () => {
  // [input as typed or sent, expected code]
  const rows: Array<[string, string]> = [
    // The failing input: a code in upper case.
    ['ABCD2345EF', CODE],
    ['  abcd2345ef  ', CODE],
    ['abcd-2345-ef', CODE],
    ['ＡＢＣＤ２３４５ＥＦ', CODE],
    ['аbсd2345еf', CODE], // Cyrillic а, с, е
    ['ABCD2345EF\u200b', CODE],
    ['x1ym2345lk', 'xiym2345ik'],
  ];
  it.each(rows)('normalizeReferralCode(%j)', (input, expected) => {
    expect(normalizeReferralCode(input)).toBe(expected);
  });

  it('path: /r/ABCD2345EF is the click of abcd2345ef', async () => {
    const res = await request('GET', `/r/${encodeURIComponent(' ABCD2345EF ')}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain(`ref=${CODE}`);
  });

  it('query: the landing page recognizes ?ref=ABCD2345EF', async () => {
    const html = await (await request('GET', '/l/signup-anniversary?ref=ABCD2345EF')).text();
    expect(html).toContain('Olivia');
    expect(html).toContain(`value="${CODE}"`);
  });

  it('form: a lead typed with an upper-case code is stored under the code', async () => {
    const res = await fetch(`${server.url}/l/signup-anniversary`, { method: 'POST', body: new URLSearchParams({ name: 'Sam', email: 'sam@example.com', ref: ' ABCD2345EF ' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': BROWSER } });
    expect(res.status).toBe(200);
    expect(await snapshot()).toMatch(new RegExp(`R#${CODE}\\|LEAD#`));
  });

  it('webhook: referralCode is normalized before it is checked', () => {
    const parsed = ConversionInput.parse({ type: 'signup', idempotencyKey: 'k-1', externalCustomerId: 'shop-1', email: 'sam@example.com', occurredAt: '2026-11-25T10:00:00Z', referralCode: ' ABCD2345EF ', codeSource: 'typed' });
    expect(parsed.referralCode).toBe(CODE);
  });
});

describe('landing page', () => {
  it('shows landing.headline and never the campaign internal name', async () => {
    const html = await (await request('GET', `/l/signup-anniversary?ref=${CODE}`)).text();
    expect(html).toContain('A friend thinks you&#39;ll love us');
    expect(html).not.toContain('Signup anniversary thank-you');
    const share = await (await request('GET', `/s/${token('share')}`)).text();
    expect(share).not.toContain('Signup anniversary thank-you');
    const status = await (await request('GET', `/me/${token('status')}`)).text();
    expect(status).not.toContain('Signup anniversary thank-you');
  });
});

describe('one route list', () => {
  it('is the router table, in order, and the gateway declares each route (HEAD beside GET)', () => {
    expect(routes.map((r) => `${r.method} ${r.pattern}`)).toEqual(API_ROUTES.map((r) => `${r.method} ${r.pattern}`));
    expect(routes.every((r) => typeof r.handler === 'function')).toBe(true);
    const gateway = HTTP_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(gateway).toEqual(gatewayRoutes().map((r) => `${r.method} ${r.path}`));
    for (const r of API_ROUTES) {
      const path = r.pattern.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(gateway).toContain(`${r.method} ${path}`);
      if (r.method === 'GET') expect(gateway).toContain(`HEAD ${path}`);
    }
  });
});

describe('the email logo', () => {
  it('is served as PNG bytes (mail clients do not show SVG), and the API Gateway answer carries them base64-encoded', async () => {
    const file = await readFile(join('templates', 'assets', 'logo.png'));
    const res = await request('GET', '/assets/logo.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
    const routed = await handleHttp({ method: 'GET', path: '/assets/logo.png', query: {}, headers: {}, cookies: {}, body: '' }, httpDeps);
    expect(Buffer.isBuffer(routed.body) && routed.body.equals(file)).toBe(true);
    expect(toGatewayResult(routed)).toMatchObject({ statusCode: 200, isBase64Encoded: true, body: file.toString('base64') });
  });
});
