// POST /conversions over real HTTP (node:http on 127.0.0.1) against dynalite: signatures, replays, the one-advocate
// rule, fraud to review, purchase -> held -> approver (injected clock) -> issued, refund -> voided after issue.
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, freshTable, localDoc, type RunningDynalite } from '../../helpers/dynalite.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { nanoIds } from '../../../adapters/clock.js';
import { LedgerStore } from '../../../adapters/dynamo/ledger.js';
import { ReferralActivityReader } from '../../../adapters/dynamo/status.js';
import { generateKeyring } from '../../../core/links.js';
import { signWebhook } from '../../../core/webhooks.js';
import { advocateRewards, emailHashOf, rewardIdFor } from '../../../core/conversions.js';
import { Customer } from '../../../core/schemas/customer.js';
import { PublishedEventDetails, type EventName } from '../../../core/schemas/events.js';
import { startHttpServer } from '../../../local/http-server.js';
import { makeApprover } from '../../../functions/rewards/approver.js';
import type { HttpDeps } from '../../../functions/http/deps.js';
import { pseudonymizeEventDetail } from '../../../core/privacy.js';

/** Events are validated as they leave: through the publisher that swaps customer ids for subject ids. */
const subjects = { subjectFor: async (id: string) => `sub_${id.length}` };

const CAMPAIGN = 'signup-anniversary';
const CODE = 'abcd2345ef';
const OTHER_CODE = 'zyxw2345ef';
const SECRET = 'test-webhook-secret-0123456789';
const T0 = new Date('2026-11-25T10:00:00.000Z');

let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
let server: { url: string; close(): Promise<void> };
let publisher: MemoryPublisher;
let now = new Date(T0);
const clock = { now: () => new Date(now) };

async function put(item: Record<string, unknown>): Promise<void> {
  await doc.send(new PutCommand({ TableName: table, Item: item }));
}

async function advocate(id: string, code: string, email: string, years: number): Promise<void> {
  await new CustomerStore(doc, table).put(Customer.parse({ id, firstName: id === 'adv-1' ? 'Olivia' : 'Bruno', email, timezone: 'Europe/Berlin', signupDate: '2023-11-25', consents: { email: true }, paymentFingerprint: `fp-${id}` }));
  const occurrenceId = `signup_anniversary#2026`;
  await put({ PK: `C#${id}`, SK: `ASK#${occurrenceId}`, entity: 'ask', askId: `${id}~${occurrenceId}`, customerId: id, campaignId: CAMPAIGN, runId: 'r1', milestone: { kind: 'signup_anniversary', occurrenceId, occurredOn: '2026-11-25', years }, status: 'sent', variantId: 'thank-you', createdAt: T0.toISOString(), updatedAt: T0.toISOString() });
  await put({ PK: `R#${code}`, SK: 'CODE', code, customerId: id, campaignId: CAMPAIGN, askId: `${id}~${occurrenceId}`, firstName: 'Olivia' });
}

beforeAll(async () => {
  // Prepare: two advocates with asks (3 and 1 years of tenure) and referral codes, as the workflow leaves them.
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
  table = await freshTable(doc, 'conv');
  await advocate('adv-1', CODE, 'olivia.smith@gmail.com', 3);
  await advocate('adv-2', OTHER_CODE, 'bruno@example.com', 1);
  publisher = new MemoryPublisher();
  const deps: HttpDeps = { doc, tableName: table, keyring: generateKeyring(randomBytes, 't1'), clock, ids: nanoIds, baseUrl: 'http://localhost:3000', campaigns: new FileCampaignRepository(), publisher, insecureCookies: true, webhookSecret: SECRET };
  server = await startHttpServer({ port: 0, deps });
});

afterAll(async () => {
  await server?.close();
  await dynamo?.stop();
});

function post(body: unknown, options: { secret?: string; timestamp?: number; sign?: boolean; contentType?: string } = {}): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = options.timestamp ?? Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = options.contentType === '' ? {} : { 'content-type': options.contentType ?? 'application/json' };
  if (options.sign !== false) {
    headers['x-referral-timestamp'] = String(ts);
    headers['x-referral-signature'] = signWebhook(options.secret ?? SECRET, ts, raw);
  }
  return fetch(`${server.url}/conversions`, { method: 'POST', body: raw, headers });
}

/** A human click through the real /r/:code route; returns the click id from the landing redirect. */
async function click(code: string): Promise<string> {
  const res = await fetch(`${server.url}/r/${code}`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' } });
  return new URL(res.headers.get('location')!).searchParams.get('click')!;
}

const purchase = (over: Record<string, unknown>) => ({ type: 'purchase', amountMinor: 4999, currency: 'EUR', occurredAt: now.toISOString(), ...over });

async function ledgerOf(advocateId: string) {
  return advocateRewards(new LedgerStore(doc, table), advocateId);
}

async function successfulReferrals(id: string): Promise<number> {
  const out = await doc.send(new GetCommand({ TableName: table, Key: { PK: `C#${id}`, SK: 'PROFILE' } }));
  return (out.Item?.counters as { successfulReferrals: number }).successfulReferrals;
}

describe('webhook media type', () => {
  // [content type as sent, status]: a correctly signed body of another type is refused and nothing is stored.
  const rows: Array<[string, number]> = [
    // The failing inputs: text/plain, form-encoded and XML were accepted and stored.
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['application/xml', 415],
    ['', 415],
    ['application/json; charset=utf-8', 400],
    ['Application/JSON', 400],
  ];
  it.each(rows)('content-type %j -> %i', async (contentType, status) => {
    const res = await post({ type: 'signup' }, { contentType });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe(status === 415 ? 'unsupported_media_type' : 'invalid_body');
  });
});

describe('webhook body as bytes', () => {
  /** POST raw bytes signed over exactly those bytes (not a decoding of them). */
  function postBytes(bytes: Buffer, contentType = 'application/json'): Promise<Response> {
    const ts = Math.floor(now.getTime() / 1000);
    return fetch(`${server.url}/conversions`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': contentType, 'x-referral-timestamp': String(ts), 'x-referral-signature': signWebhook(SECRET, ts, bytes) },
    });
  }
  // [case, body bytes, status, error]: the failing inputs are the oversized body (a plain-text 400) and the
  // body that is not valid UTF-8 (signed over its bytes, it failed the signature because the text was decoded first).
  const rows: Array<[string, Buffer, number, string]> = [
    ['oversized (300 KB)', Buffer.from(JSON.stringify({ type: 'signup', pad: 'x'.repeat(300 * 1024) })), 413, 'payload_too_large'],
    ['not valid UTF-8, signed over its bytes', Buffer.concat([Buffer.from('{"type":"signup","email":"'), Buffer.from([0xff, 0xfe]), Buffer.from('@example.com"}')]), 400, 'invalid_body'],
    ['UTF-8 with a non-ASCII name, signed over its bytes', Buffer.from(JSON.stringify({ type: 'signup', firstName: 'Zoë' })), 400, 'invalid_body'],
  ];
  it.each(rows)('%s', async (_case, bytes, status, error) => {
    const res = await postBytes(bytes);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { error: string; message?: string };
    expect(body.error).toBe(error);
    if (status === 400 && _case.startsWith('not valid')) expect(body.message).toMatch(/UTF-8/);
  });

  it('verifies a signature over bytes the same as over their text (UTF-8)', () => {
    const text = '{"firstName":"Zoë"}';
    expect(signWebhook(SECRET, 1_700_000_000, Buffer.from(text, 'utf8'))).toBe(signWebhook(SECRET, 1_700_000_000, text));
  });
});

describe('webhook authentication', () => {
  const body = { type: 'signup', idempotencyKey: 'auth-1', externalCustomerId: 'f-auth', email: 'auth@example.com', referralCode: CODE, occurredAt: T0.toISOString() };

  it('refuses a request without a signature with 401 "signature"', async () => {
    const res = await post(body, { sign: false });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized', reason: 'signature' });
  });

  it('refuses a bad signature with the same 401 "signature" and records nothing', async () => {
    const res = await post(body, { secret: 'another-secret-0123456789' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized', reason: 'signature' });
    const tampered = await fetch(`${server.url}/conversions`, { method: 'POST', body: JSON.stringify({ ...body, externalCustomerId: 'evil' }), headers: { 'content-type': 'application/json', 'x-referral-timestamp': String(Math.floor(now.getTime() / 1000)), 'x-referral-signature': signWebhook(SECRET, Math.floor(now.getTime() / 1000), JSON.stringify(body)) } });
    expect(tampered.status).toBe(401);
    const stored = await doc.send(new GetCommand({ TableName: table, Key: { PK: 'IDEM#auth-1', SK: 'CONVERSION' } }));
    expect(stored.Item).toBeUndefined();
  });

  it('refuses a correctly signed but stale request with 401 "stale"', async () => {
    const res = await post(body, { timestamp: Math.floor(now.getTime() / 1000) - 301 });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized', reason: 'stale' });
  });

  it('answers an invalid body with 400 naming the field', async () => {
    const res = await post({ ...body, type: 'purchase', idempotencyKey: 'bad-1' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_body', field: 'amountMinor' });
    const notJson = await post('{nope');
    expect(notJson.status).toBe(400);
  });
});

describe('purchase -> reward held -> approver -> issued -> refund -> voided', () => {
  let clickId: string;
  let conversionId: string;
  const friend = 'friend-100';

  it('attributes a purchase by the server-bound click id and holds both rewards', async () => {
    clickId = await click(CODE);
    now = new Date(T0.getTime() + 3_600_000);
    const res = await post(purchase({ idempotencyKey: 'order-100', externalCustomerId: friend, emailHash: emailHashOf('Friend.Hundred@Example.com'), clickId, referralCode: CODE }));
    expect(res.status).toBe(200);
    const result = (await res.json()) as { status: string; rule: string; conversionId: string; replayed: boolean; rewards: Array<{ beneficiary: string; state: string; amountMinor: number }> };
    expect(result).toMatchObject({ status: 'recorded', rule: 'click_id', replayed: false, advocateId: 'adv-1', campaignId: CAMPAIGN });
    conversionId = result.conversionId;
    // Years 2-5 tier (3 years) for the advocate, the friend's offer for the friend.
    expect(result.rewards).toEqual(expect.arrayContaining([
      expect.objectContaining({ beneficiary: 'advocate', state: 'held', amountMinor: 1500 }),
      expect.objectContaining({ beneficiary: 'friend', state: 'held', amountMinor: 2000 }),
    ]));
    expect(await successfulReferrals('adv-1')).toBe(1);
    const conv = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': `R#${CODE}`, ':p': 'CONV#purchase#' } }));
    expect(conv.Items?.map((i) => i.rule)).toEqual(['click_id']);
    const names = publisher.events.map((e) => e.detailType);
    expect(names).toEqual(expect.arrayContaining(['referral.conversion.recorded.v1', 'referral.reward.earned.v1']));
  });

  it('answers a replayed webhook (same idempotency key) with the first result and counts nothing twice', async () => {
    const before = publisher.events.length;
    const res = await post(purchase({ idempotencyKey: 'order-100', externalCustomerId: friend, emailHash: emailHashOf('friend.hundred@example.com'), clickId, referralCode: CODE }));
    expect(res.status).toBe(200);
    const result = (await res.json()) as { conversionId: string; replayed: boolean };
    expect(result).toMatchObject({ conversionId, replayed: true });
    expect(publisher.events.length).toBe(before);
    expect(await successfulReferrals('adv-1')).toBe(1);
    expect((await ledgerOf('adv-1')).rewards).toHaveLength(2);
  });

  it('never credits the same referee twice: a second purchase earns nothing, another advocate gets nothing', async () => {
    const again = (await (await post(purchase({ idempotencyKey: 'order-101', externalCustomerId: friend, email: 'friend.hundred@example.com', referralCode: CODE }))).json()) as { status: string; rewards: unknown[]; note?: string };
    expect(again.status).toBe('recorded');
    expect(again.rewards).toEqual([]);
    expect(again.note).toMatch(/not credited twice/);
    const other = (await (await post(purchase({ idempotencyKey: 'order-102', externalCustomerId: friend, email: 'friend.hundred@example.com', referralCode: OTHER_CODE }))).json()) as { status: string; advocateId: string };
    expect(other.status).toBe('duplicate_referee');
    // The same person under a new customer id (same email) is not a new referee either.
    const alias = (await (await post(purchase({ idempotencyKey: 'order-103', externalCustomerId: 'friend-100-alias', email: 'friend.hundred@example.com', referralCode: OTHER_CODE }))).json()) as { status: string };
    expect(alias.status).toBe('duplicate_referee');
    expect((await ledgerOf('adv-1')).rewards).toHaveLength(2);
    expect((await ledgerOf('adv-2')).rewards).toHaveLength(0);
    expect(await successfulReferrals('adv-1')).toBe(1);
    expect(await successfulReferrals('adv-2')).toBe(0);
  });

  it('approves and issues held rewards once the hold window ends (approver with an injected clock)', async () => {
    const approver = makeApprover({ ledger: new LedgerStore(doc, table), publisher, clock });
    now = new Date(T0.getTime() + 10 * 86_400_000);
    expect(await approver()).toMatchObject({ issued: 0 });
    expect((await ledgerOf('adv-1')).byState.held?.count).toBe(1);
    now = new Date(T0.getTime() + 31 * 86_400_000);
    const result = await approver();
    expect(result).toMatchObject({ approved: 2, issued: 2 });
    const { rewards } = await ledgerOf('adv-1');
    expect(rewards.map((r) => r.state)).toEqual(['issued', 'issued']);
    expect(publisher.events.filter((e) => e.detailType === 'referral.reward.issued.v1')).toHaveLength(2);
    // A second run finds nothing left to do.
    expect(await approver()).toMatchObject({ examined: 0, issued: 0 });
    // The ledger by campaign (GSI1) holds every entry of both rewards, in time order.
    const byCampaign = await new LedgerStore(doc, table).byCampaign(CAMPAIGN);
    expect(byCampaign.filter((e) => e.beneficiary === 'advocate').map((e) => e.state)).toEqual(['pending', 'held', 'approved', 'issued']);
  });

  it('voids both rewards on refund, even after issue, and gives the budget back', async () => {
    const ledger = new LedgerStore(doc, table);
    const spentBefore = await ledger.spentMinor(CAMPAIGN);
    const res = (await (await post({ type: 'refund', idempotencyKey: 'refund-100', externalCustomerId: friend, amountMinor: 4999, currency: 'EUR', occurredAt: now.toISOString() })).json()) as { status: string; rewards: Array<{ state: string }> };
    expect(res.status).toBe('refunded');
    expect(res.rewards.map((r) => r.state)).toEqual(['voided', 'voided']);
    expect((await ledgerOf('adv-1')).rewards.every((r) => r.state === 'voided')).toBe(true);
    expect(await ledger.spentMinor(CAMPAIGN)).toBe(spentBefore - 3500);
    expect(publisher.events.filter((e) => e.detailType === 'referral.reward.voided.v1')).toHaveLength(2);
    const history = await ledger.history('adv-1', rewardIdFor(CAMPAIGN, 'advocate', friend));
    expect(history.map((e) => e.state)).toEqual(['pending', 'held', 'approved', 'issued', 'voided']);
    expect(await successfulReferrals('adv-1')).toBe(0); // a refunded referral no longer counts toward the tiers
    // A redelivered refund changes nothing more.
    await post({ type: 'refund', idempotencyKey: 'refund-100-again', externalCustomerId: friend, amountMinor: 4999, currency: 'EUR', occurredAt: now.toISOString() });
    expect(await successfulReferrals('adv-1')).toBe(0);
  });
});

describe('fraud and attribution edge cases', () => {
  it('sends a self-referral (same Gmail address with dots and a +tag) to review, never paying it', async () => {
    now = new Date(T0.getTime() + 40 * 86_400_000);
    const countedBefore = await successfulReferrals('adv-1');
    const res = (await (await post(purchase({ idempotencyKey: 'self-1', externalCustomerId: 'olivia-alt', email: 'Olivia.Smith+deals@gmail.com', referralCode: CODE }))).json()) as { status: string; fraudReasons: string[]; rewards: Array<{ state: string }>; conversionId: string };
    expect(res.status).toBe('recorded');
    expect(res.fraudReasons).toContain('self_referral_email');
    expect(res.rewards.map((r) => r.state)).toEqual(['review', 'review']);
    const reviews = await new LedgerStore(doc, table).listReviews();
    expect(reviews.map((r) => r.conversionId)).toContain(res.conversionId);
    expect(publisher.events.some((e) => e.detailType === 'referral.fraud.flagged.v1' && e.detail.conversionId === res.conversionId)).toBe(true);
    expect(await successfulReferrals('adv-1')).toBe(countedBefore); // a flagged conversion is not a successful referral
  });

  it('flags the same payment fingerprint as a self-referral', async () => {
    const res = (await (await post(purchase({ idempotencyKey: 'self-2', externalCustomerId: 'someone-else', email: 'someone@example.com', referralCode: OTHER_CODE, paymentFingerprint: 'fp-adv-2' }))).json()) as { fraudReasons: string[] };
    expect(res.fraudReasons).toContain('self_referral_payment');
  });

  it('flags a disposable email domain from the maintained npm list', async () => {
    const res = (await (await post(purchase({ idempotencyKey: 'disp-1', externalCustomerId: 'throwaway', email: 'someone@mailinator.com', referralCode: OTHER_CODE }))).json()) as { fraudReasons: string[]; rewards: Array<{ state: string }> };
    expect(res.fraudReasons).toEqual(['disposable_email']);
    expect(res.rewards.map((r) => r.state)).toEqual(['review', 'review']);
  });

  it('attributes by the click id alone (no code, no cookie): the click route indexes every click by its id', async () => {
    // Prepare: a click through the real route; the shop only kept the `click` query parameter of the landing URL.
    const onlyClick = await click(OTHER_CODE);

    // Act
    const res = await post({ type: 'signup', idempotencyKey: 'signup-click-only', externalCustomerId: 'friend-click-only', email: 'click.only@example.com', clickId: onlyClick, occurredAt: now.toISOString() });

    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'recorded', rule: 'click_id', advocateId: 'adv-2' });
  });

  it('does not attribute a click older than the campaign window', async () => {
    const old = new Date(now.getTime() - 31 * 86_400_000).toISOString();
    await put({ PK: `R#${CODE}`, SK: 'CLICK#oldclick0001', entity: 'click', clickId: 'oldclick0001', campaignId: CAMPAIGN, advocateId: 'adv-1', agent: 'human', at: old });
    const res = (await (await post({ type: 'signup', idempotencyKey: 'late-1', externalCustomerId: 'late-friend', email: 'late@example.com', clickId: 'oldclick0001', occurredAt: now.toISOString() })).json()) as { status: string };
    expect(res.status).toBe('unattributed');
  });

  it('finds the lead from the landing page by email and records the rule that decided', async () => {
    const form = await fetch(`${server.url}/l/${CAMPAIGN}`, { method: 'POST', body: new URLSearchParams({ name: 'Lea', email: 'lea@example.com', ref: CODE }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(200);
    const res = (await (await post({ type: 'signup', idempotencyKey: 'lead-1', externalCustomerId: 'lea-1', emailHash: emailHashOf('lea@example.com'), referralCode: CODE, occurredAt: now.toISOString() })).json()) as { status: string; rule: string };
    expect(res).toMatchObject({ status: 'recorded', rule: 'cookie' });
    const counts = (await new ReferralActivityReader(doc, table).activity(CODE)).conversions.byType;
    expect(counts.signup).toBe(1);
  });
});

describe('events', () => {
  it('publishes only events that match their zod detail schema (versioned detail-types)', async () => {
    const names = new Set(publisher.events.map((e) => e.detailType));
    for (const n of ['referral.conversion.recorded.v1', 'referral.reward.earned.v1', 'referral.reward.approved.v1', 'referral.reward.issued.v1', 'referral.reward.voided.v1', 'referral.fraud.flagged.v1']) expect(names).toContain(n);
    for (const e of publisher.events) {
      const name = e.detailType.replace(/\.v1$/, '') as EventName;
      expect(PublishedEventDetails[name].safeParse(await pseudonymizeEventDetail(e.detail, subjects)).success, `${e.detailType} ${JSON.stringify(e.detail)}`).toBe(true);
    }
  });
});

// Last: its signup adds to CODE's counts, which the tests above assert exactly.
describe('concurrent identical deliveries', () => {
  it('answers exactly one of four simultaneous deliveries as first, the other three as replayed, with one conversion', async () => {
    const body = { type: 'signup', idempotencyKey: 'concurrent-1', externalCustomerId: 'f-concurrent', email: 'concurrent@example.com', referralCode: CODE, occurredAt: T0.toISOString() };
    const answers = await Promise.all([1, 2, 3, 4].map(async () => (await post(body)).json() as Promise<{ replayed: boolean; conversionId: string }>));
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true, true, true]);
    expect(new Set(answers.map((a) => a.conversionId)).size).toBe(1);
    // A fifth, later delivery is a replay too.
    expect(((await (await post(body)).json()) as { replayed: boolean }).replayed).toBe(true);
  });
});
