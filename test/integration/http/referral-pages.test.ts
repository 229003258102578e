// The share page, share intents, the referral click and the landing page over real HTTP (node:http on 127.0.0.1)
// against dynalite: tampered tokens, open-redirect attempts, bots not counted, clicks stored before the redirect.
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, freshTable, localDoc, type RunningDynalite } from '../../helpers/dynalite.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { nanoIds, systemClock } from '../../../adapters/clock.js';
import { generateKeyring, signToken } from '../../../core/links.js';
import { Customer } from '../../../core/schemas/customer.js';
import { startHttpServer } from '../../../local/http-server.js';
import type { HttpDeps } from '../../../functions/http/deps.js';

const CODE = 'abcd2345ef';
const keyring = generateKeyring(randomBytes, 't1');
let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
let server: { url: string; close(): Promise<void> };
let publisher: MemoryPublisher;
let shareToken: string;

beforeAll(async () => {
  // Prepare: one advocate with a sent ask and a referral code, as the workflow leaves them.
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
  table = await freshTable(doc, 'http');
  await new CustomerStore(doc, table).put(
    Customer.parse({ id: 'adv-1', firstName: 'Olivia', email: 'olivia@example.com', timezone: 'Europe/Berlin', signupDate: '2023-11-25', consents: { email: true } }),
  );
  const occurrenceId = 'signup_anniversary#2026';
  const now = new Date().toISOString();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        PK: 'C#adv-1', SK: `ASK#${occurrenceId}`, entity: 'ask', askId: `adv-1~${occurrenceId}`, customerId: 'adv-1', campaignId: 'signup-anniversary', runId: 'r1',
        milestone: { kind: 'signup_anniversary', occurrenceId, occurredOn: '2026-11-25', years: 3 }, status: 'sent', variantId: 'thank-you', createdAt: now, updatedAt: now,
      },
    }),
  );
  await doc.send(new PutCommand({ TableName: table, Item: { PK: `R#${CODE}`, SK: 'CODE', code: CODE, customerId: 'adv-1', campaignId: 'signup-anniversary', askId: `adv-1~${occurrenceId}`, firstName: 'Olivia' } }));
  shareToken = signToken({ p: 'share', c: 'adv-1', k: 'signup-anniversary', o: occurrenceId, r: CODE }, keyring);
  publisher = new MemoryPublisher();
  const deps: HttpDeps = { doc, tableName: table, keyring, clock: systemClock, ids: nanoIds, baseUrl: 'http://localhost:3000', campaigns: new FileCampaignRepository(), publisher, insecureCookies: true };
  server = await startHttpServer({ port: 0, deps });
});

afterAll(async () => {
  await server?.close();
  await dynamo?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', ...headers } });

async function items(prefix: string): Promise<Array<Record<string, unknown>>> {
  const out = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': `R#${CODE}`, ':p': prefix } }));
  return out.Items ?? [];
}

describe('share page', () => {
  it('names the advocate, shows the referral link and carries security headers', async () => {
    const res = await get(`/s/${shareToken}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Olivia');
    expect(html).toContain(`http://localhost:3000/r/${CODE}`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a tampered token with the same friendly 404 as an unknown one', async () => {
    const tampered = shareToken.slice(0, -2) + (shareToken.endsWith('A') ? 'BB' : 'AA');
    const [bad, unknown] = await Promise.all([get(`/s/${tampered}`), get('/s/not-a-token')]);
    expect(bad.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await bad.text()).toBe(await unknown.text());
  });

  it('records a share and redirects to the network on the fixed allow-list', async () => {
    const res = await get(`/s/${shareToken}/to/whatsapp?text=${encodeURIComponent('Try it!')}`);
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).host).toBe('wa.me');
    expect((await items('SHARE#')).some((s) => s.network === 'whatsapp')).toBe(true);
    // The event names the ask (not the customer) and its campaign, so the report keys the share back to the ask.
    const shared = publisher.events.filter((e) => e.detailType === 'referral.share.recorded.v1').map((e) => e.detail);
    expect(shared.at(-1)).toMatchObject({ askId: 'adv-1~signup_anniversary#2026', campaignId: 'signup-anniversary', customerId: 'adv-1', referralCode: CODE, network: 'whatsapp' });
    expect(publisher.events.some((e) => e.detailType === 'referral.share.viewed.v1')).toBe(true);
    expect((await get(`/s/${shareToken}/to/evil.example`)).status).toBe(404);
  });
});

describe('referral click', () => {
  it('stores the click before redirecting to the landing page with the click id and sets the cookie', async () => {
    const before = (await items('CLICK#')).length;
    const res = await get(`/r/${CODE}`);
    const location = new URL(res.headers.get('location')!);
    expect(res.status).toBe(302);
    expect(location.pathname).toBe('/l/signup-anniversary');
    const clickId = location.searchParams.get('click');
    expect((await items('CLICK#')).map((c) => c.clickId)).toContain(clickId);
    expect((await items('CLICK#')).length).toBe(before + 1);
    expect(res.headers.get('set-cookie')).toMatch(/^ref_click=.*HttpOnly.*SameSite=Lax/i);
  });

  it('never lets query parameters choose the destination', async () => {
    for (const attack of ['?url=https://evil.example', '?next=//evil.example', '?redirect=https%3A%2F%2Fevil.example']) {
      const res = await get(`/r/${CODE}${attack}`);
      expect(new URL(res.headers.get('location')!).host).toBe('localhost:3000');
    }
  });

  it('redirects link previewers and scanners without counting a click', async () => {
    const before = (await items('CLICK#')).length;
    const res = await get(`/r/${CODE}`, { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' });
    expect(res.status).toBe(302);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await items('CLICK#')).length).toBe(before);
  });

  it('counts the same visitor clicking again within the window once', async () => {
    const first = await get(`/r/${CODE}`);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const before = (await items('CLICK#')).length;
    const again = await get(`/r/${CODE}`, { cookie });
    expect(new URL(again.headers.get('location')!).searchParams.get('click')).toBe(new URL(first.headers.get('location')!).searchParams.get('click'));
    expect((await items('CLICK#')).length).toBe(before);
  });

  it('keeps one visitor id per browser on every click it makes, in its own first-party cookie', async () => {
    // Prepare: a first click from a fresh browser.
    const first = await get(`/r/${CODE}`);
    const cookies = first.headers.getSetCookie();
    const visitorCookie = cookies.find((c) => c.startsWith('ref_vid='))!;
    expect(visitorCookie).toMatch(/HttpOnly/i);
    expect(visitorCookie).toMatch(/SameSite=Lax/i);
    const visitorId = visitorCookie.split(';')[0]!.slice('ref_vid='.length);

    // Act: the same browser clicks again after the dedupe window (no ref_click cookie any more, ref_vid kept).
    const second = await get(`/r/${CODE}`, { cookie: `ref_vid=${visitorId}` });

    // Assess: two clicks, one visitor; the known visitor gets no new visitor cookie.
    const ids = [first, second].map((r) => new URL(r.headers.get('location')!).searchParams.get('click'));
    expect(ids[0]).not.toBe(ids[1]);
    const stored = (await items('CLICK#')).filter((c) => ids.includes(c.clickId as string));
    expect(stored.map((c) => c.visitorId)).toEqual([visitorId, visitorId]);
    expect(second.headers.getSetCookie().some((c) => c.startsWith('ref_vid='))).toBe(false);
  });

  it('answers an unknown code with the 404 page', async () => {
    expect((await get('/r/zzzz2345zz')).status).toBe(404);
  });
});

describe('landing page', () => {
  it('names the advocate and records a signup lead with the click id', async () => {
    const page = await (await get(`/l/signup-anniversary?ref=${CODE}&click=click123abc`)).text();
    expect(page).toContain('Olivia invited you');
    const res = await fetch(`${server.url}/l/signup-anniversary`, { method: 'POST', body: new URLSearchParams({ name: 'Sam', email: 'Sam@Example.com', ref: CODE, click: 'click123abc' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await res.text()).toContain('Thanks, Sam!');
    expect((await items('LEAD#')).some((l) => l.email === 'sam@example.com' && l.clickId === 'click123abc' && l.rule === 'click_id')).toBe(true);
  });

  it('names the field when the form is wrong', async () => {
    const res = await fetch(`${server.url}/l/signup-anniversary`, { method: 'POST', body: new URLSearchParams({ name: 'Sam', email: 'not-an-email' }) });
    expect(await res.text()).toContain('email: please enter a valid email address');
  });
});
