// The advocate's status page (/me/:token) over real HTTP (node:http on 127.0.0.1) against dynalite: counts of shares,
// clicks, signups and purchases under the referral code, rewards from the ledger with their states and amounts
// formatted from minor units, and the same friendly 404 for tampered, unknown and wrong-purpose tokens.
import { randomBytes } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, freshTable, localDoc, type RunningDynalite } from '../../helpers/dynalite.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { LedgerStore, type LedgerEntry } from '../../../adapters/dynamo/ledger.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { nanoIds, systemClock } from '../../../adapters/clock.js';
import { generateKeyring, signToken } from '../../../core/links.js';
import { Customer } from '../../../core/schemas/customer.js';
import { startHttpServer } from '../../../local/http-server.js';
import type { HttpDeps } from '../../../functions/http/deps.js';

const CODE = 'stat2345ab';
const OTHER_CODE = 'zzzz2345yy';
const CAMPAIGN = 'signup-anniversary';
const OCCURRENCE = 'signup_anniversary#2026';
const keyring = generateKeyring(randomBytes, 't1');
let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
let server: { url: string; close(): Promise<void> };
let statusToken: string;

const put = (Item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: table, Item }));

function entry(rewardId: string, seq: number, state: LedgerEntry['state'], amountMinor: number, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { rewardId, seq, state, advocateId: 'adv-1', campaignId: CAMPAIGN, beneficiary: 'advocate', beneficiaryId: 'adv-1', amountMinor, currency: 'EUR', conversionId: `conv-${rewardId}`, at: `2026-11-2${seq}T10:00:00.000Z`, ...extra };
}

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
  table = await freshTable(doc, 'status');
  await new CustomerStore(doc, table).put(
    Customer.parse({ id: 'adv-1', firstName: 'Olivia', email: 'olivia@example.com', timezone: 'Europe/Berlin', signupDate: '2023-11-25', locale: 'en', consents: { email: true } }),
  );
  // The code, as the workflow leaves it, with share page visits counted on it.
  await put({ PK: `R#${CODE}`, SK: 'CODE', code: CODE, customerId: 'adv-1', campaignId: CAMPAIGN, askId: `adv-1~${OCCURRENCE}`, firstName: 'Olivia', shareVisits: 4 });
  await put({ PK: `R#${OTHER_CODE}`, SK: 'CODE', code: OTHER_CODE, customerId: 'adv-2', campaignId: CAMPAIGN, askId: `adv-2~${OCCURRENCE}`, firstName: 'Bruno' });
  // 3 shares (2 WhatsApp, 1 copy), 5 clicks, 2 signups on the landing page (one also reported by the shop), 1 purchase
  // and 1 refund under the code.
  for (const [i, network] of ['whatsapp', 'whatsapp', 'copy'].entries()) await put({ PK: `R#${CODE}`, SK: `SHARE#2026-11-25T10:00:0${i}.000Z#${network}#s${i}`, entity: 'share', network });
  for (let i = 0; i < 5; i += 1) await put({ PK: `R#${CODE}`, SK: `CLICK#click${i}`, entity: 'click', clickId: `click${i}` });
  for (let i = 0; i < 2; i += 1) await put({ PK: `R#${CODE}`, SK: `LEAD#lead${i}`, entity: 'lead', leadId: `lead${i}` });
  await put({ PK: `R#${CODE}`, SK: 'CONV#purchase#p1', entity: 'conversion', type: 'purchase', status: 'recorded' });
  await put({ PK: `R#${CODE}`, SK: 'CONV#refund#r1', entity: 'conversion', type: 'refund', status: 'refunded' });
  await put({ PK: `R#${CODE}`, SK: 'CONV#signup#s1', entity: 'conversion', type: 'signup', status: 'recorded' });
  // A purchase by a referee already credited to another advocate is kept for the record, not counted here.
  await put({ PK: `R#${CODE}`, SK: 'CONV#purchase#p2', entity: 'conversion', type: 'purchase', status: 'duplicate_referee' });
  // Another advocate's activity must not leak in.
  await put({ PK: `R#${OTHER_CODE}`, SK: 'CLICK#other', entity: 'click' });
  // Ledger: one reward held (latest of two entries), one voided after approval, one issued; a friend's offer and a
  // reward of another campaign are not the advocate's rewards here.
  const ledger = new LedgerStore(doc, table);
  for (const e of [
    entry('rw-held', 1, 'pending', 2500),
    entry('rw-held', 2, 'held', 2500, { holdUntil: '2026-12-25T10:00:00.000Z' }),
    entry('rw-void', 1, 'pending', 1050),
    entry('rw-void', 2, 'approved', 1050),
    entry('rw-void', 3, 'voided', 1050, { reason: 'refund' }),
    entry('rw-paid', 1, 'issued', 3000),
    entry('rw-friend', 1, 'held', 999, { beneficiary: 'friend', beneficiaryId: 'friend-1' }),
    entry('rw-other', 1, 'issued', 777, { campaignId: 'tenth-order' }),
  ])
    expect(await ledger.append(e)).toBe(true);
  statusToken = signToken({ p: 'status', c: 'adv-1', k: CAMPAIGN, o: OCCURRENCE, r: CODE }, keyring);
  const deps: HttpDeps = { doc, tableName: table, keyring, clock: systemClock, ids: nanoIds, baseUrl: 'http://localhost:3000', campaigns: new FileCampaignRepository(), publisher: new MemoryPublisher(), insecureCookies: true };
  server = await startHttpServer({ port: 0, deps });
});

afterAll(async () => {
  await server?.close();
  await dynamo?.stop();
});

const get = (path: string) => fetch(`${server.url}${path}`, { redirect: 'manual' });
const stat = (html: string, name: string) => new RegExp(`data-stat="${name}">(\\d+)<`).exec(html)?.[1];
const rewardState = (html: string, id: string) => new RegExp(`data-reward="${id}" data-state="([a-z_]+)"`).exec(html)?.[1];

describe('status page', () => {
  it('counts shares, clicks, leads, signups and purchases under the code (leads and signups apart)', async () => {
    const res = await get(`/me/${statusToken}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Your referrals, Olivia');
    expect(stat(html, 'shares')).toBe('3');
    expect(stat(html, 'clicks')).toBe('5');
    expect(stat(html, 'leads')).toBe('2'); // the two LEAD# items
    expect(stat(html, 'signups')).toBe('1'); // the one CONV#signup
    expect(stat(html, 'conversions')).toBe('1');
    expect(html).toContain('Refunded purchases: 1.');
    expect(html).toContain('WhatsApp (2)');
    expect(html).toContain('Copied link (1)');
    expect(html).toContain(`http://localhost:3000/r/${CODE}`);
  });

  it("lists the advocate's rewards of this campaign with their states and amounts from minor units", async () => {
    const html = await (await get(`/me/${statusToken}`)).text();
    expect(rewardState(html, 'rw-held')).toBe('held');
    expect(rewardState(html, 'rw-void')).toBe('voided');
    expect(rewardState(html, 'rw-paid')).toBe('issued');
    expect(html).not.toContain('rw-friend');
    expect(html).not.toContain('rw-other');
    expect(html).toContain('€25');
    expect(html).toContain('€10.50');
    expect(html).toContain('Waiting for the refund window to end on Dec 25, 2026');
    // Earned: the issued €30; on the way: the held €25 (the voided €10.50 counts for neither).
    expect(html).toMatch(/Earned: <strong>€30<\/strong>/);
    expect(html).toMatch(/On the way: <strong>€25<\/strong>/);
  });

  it('carries the security headers of every page', async () => {
    const res = await get(`/me/${statusToken}`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers tampered, unknown, wrong-purpose and mismatched tokens with the same friendly 404', async () => {
    const tampered = statusToken.slice(0, -2) + (statusToken.endsWith('A') ? 'BB' : 'AA');
    const share = signToken({ p: 'share', c: 'adv-1', k: CAMPAIGN, o: OCCURRENCE, r: CODE }, keyring);
    const foreignKey = signToken({ p: 'status', c: 'adv-1', k: CAMPAIGN, r: CODE }, generateKeyring(randomBytes, 't1'));
    // Genuine, but the code belongs to another advocate: nothing of theirs is shown.
    const mismatched = signToken({ p: 'status', c: 'adv-1', k: CAMPAIGN, r: OTHER_CODE }, keyring);
    const responses = await Promise.all([tampered, 'not-a-token', share, foreignKey, mismatched].map((t) => get(`/me/${t}`)));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    for (const body of bodies) expect(body).toBe(bodies[1]);
    expect(bodies[0]).toContain('This link does not work');
    expect(bodies[0]).not.toMatch(/at .*\.ts:\d+|Error:/);
  });

  it('links the share page to the status page with a status token, not the share token', async () => {
    await put({
      PK: 'C#adv-1', SK: `ASK#${OCCURRENCE}`, entity: 'ask', askId: `adv-1~${OCCURRENCE}`, customerId: 'adv-1', campaignId: CAMPAIGN, runId: 'r1',
      milestone: { kind: 'signup_anniversary', occurrenceId: OCCURRENCE, occurredOn: '2026-11-25', years: 3 }, status: 'sent', variantId: 'thank-you', createdAt: '2026-11-25T00:00:00.000Z', updatedAt: '2026-11-25T00:00:00.000Z',
    });
    const shareToken = signToken({ p: 'share', c: 'adv-1', k: CAMPAIGN, o: OCCURRENCE, r: CODE }, keyring);
    const page = await (await get(`/s/${shareToken}`)).text();
    const href = /href="(\/me\/[^"]+)"/.exec(page)?.[1];
    expect(href).toBeDefined();
    expect(href).not.toContain(shareToken);
    const res = await get(href!);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Your referrals, Olivia');
  });
});
