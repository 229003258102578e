// The reward is decided once (core/quote.ts). A 3-year customer's 10th order (a threshold milestone, tier "years 2-5",
// €15) goes through the run on the local stack, out by email, SMS and in-app, to the share page, a click, the landing
// page and a signed purchase webhook, into the ledger: every amount shown anywhere equals the amount booked.
// (Before: the email quoted €15, the share page showed €10 and the ledger booked €10.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAskStore } from '../../../adapters/dynamo/asks.js';
import { InboxStore } from '../../../adapters/dynamo/inbox.js';
import { LedgerStore } from '../../../adapters/dynamo/ledger.js';
import { MilestoneStore } from '../../../adapters/dynamo/milestones.js';
import { loadWebhookSecret } from '../../../adapters/webhook-secret.js';
import { isHeldOut } from '../../../core/assignment.js';
import { formatMoney } from '../../../core/render.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import { Customer } from '../../../core/schemas/customer.js';
import type { Channel } from '../../../core/schemas/common.js';
import { signWebhook } from '../../../core/webhooks.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { startLocalEnvironment, type LocalEnvironment } from '../../../local/environment.js';
import { runExecution } from '../../../local/run-campaign.js';
import { fetchEml, listEmails } from '../../../local/servers.js';

const CAMPAIGN = 'tenth-order';
const DAY = '2026-05-04';
const PHONE_ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36';

let env: LocalEnvironment;
let stateDir: string;
let campaign: Campaign;
const advocates: Record<'email' | 'sms' | 'in_app', Customer> = {} as never;

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

/** Quoted-printable undone, the bytes read as UTF-8. */
function fromQuotedPrintable(text: string): string {
  const binary = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(binary, 'latin1').toString('utf8');
}

/** What a person reads in a raw message: the RFC 2047 subject and every MIME part, decoded (QP or base64). */
function readableEml(raw: string): string {
  const subject = (/^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? '').replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : fromQuotedPrintable(text.replace(/_/g, ' ')),
  );
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/).map((part) => {
    const [head = '', ...body] = part.split(/\r?\n\r?\n/);
    const content = body.join('\n\n');
    if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) return fromQuotedPrintable(content);
    return content;
  });
  return [subject, ...parts].join('\n');
}

/** A customer who is not in the campaign's holdout: signed up 3 years and a bit before DAY, 9 orders so far. */
function advocate(prefix: string, channel: Channel, n: number): Customer {
  let i = 0;
  while (isHeldOut(CAMPAIGN, `${prefix}-${i}`, 10)) i += 1;
  return Customer.parse({
    id: `${prefix}-${i}`,
    firstName: `Alex${n}`,
    email: `${prefix}-${i}@example.com`,
    phone: `+49151123456${10 + n}`,
    timezone: 'Europe/Berlin',
    country: 'DE',
    locale: 'en',
    signupDate: '2023-02-01',
    preferredChannel: channel,
    consents: { email: true, sms: true, in_app: true },
    counters: { orders: 9 },
  });
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'asks-quote-'));
  delete process.env.PUBLIC_BASE_URL;
  env = await startLocalEnvironment({ stateDir, inMemory: true, dynamoPort: 0, sesPort: 0, httpPort: await freePort(), http: true, tableName: 'asks-quote' });
  campaign = (await env.deps.campaigns.get(CAMPAIGN))!;
  advocates.email = advocate('mail', 'email', 1);
  advocates.sms = advocate('text', 'sms', 2);
  advocates.in_app = advocate('app', 'in_app', 3);
  await env.customers.putMany(Object.values(advocates));
  // The 10th order of each, the day before; the campaign asks 24 hours later.
  const milestones = new MilestoneStore(env.doc, env.tableName);
  for (const c of Object.values(advocates)) {
    await milestones.applyActivity({ type: 'order_completed', customerId: c.id, orderId: `o-${c.id}`, amountMinor: 4200, currency: 'EUR', at: '2026-05-03T10:00:00Z' }, [campaign], '2026-05-03T10:00:01Z');
  }
}, 60_000);

afterAll(async () => {
  await env?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('a 10th order by a 3-year customer', () => {
  it('shows the same reward in the email, SMS, in-app message, share, landing and status pages as the ledger books', async () => {
    const run = await runExecution({ definition: definitionFromCdkOut().definition, handlers: env.deps.handlers, input: { campaignId: CAMPAIGN, at: `${DAY}T12:00:00Z`, mode: 'day', runDate: DAY } });
    expect(run.error).toBeUndefined();
    expect(run.summary?.totals.sent).toBe(3);

    // The ask stores the milestone facts and the quote: tenure 3 years, the years 2-5 tier, €15.
    const asks = new DynamoAskStore(env.doc, env.tableName);
    const ask = (await asks.get(advocates.email.id, 'nth_purchase#10'))!;
    expect(ask.milestone).toMatchObject({ kind: 'nth_purchase', threshold: 10, years: 3 });
    expect(ask.quote).toMatchObject({ tenureYears: 3, threshold: 10, tierLabel: 'Regular', advocate: { amountMinor: 1500, currency: 'EUR' }, friend: null, friendPercentOff: 15 });
    const quoted = formatMoney(ask.quote!.advocate, 'en');
    expect(quoted).toBe('€15');
    const shown: Record<string, string> = {};
    const amountsIn = (text: string): string[] => [...new Set(text.match(/€\d+(?:[.,]\d+)?/g) ?? [])];

    // Email.
    const emails = await listEmails(env.ses.url);
    const eml = readableEml((await fetchEml(env.ses.url, ask.messageId!))!);
    expect(emails.some((e) => e.messageId === ask.messageId)).toBe(true);
    expect(amountsIn(eml)).toEqual([quoted]);
    shown.email = amountsIn(eml)[0]!;

    // SMS (the local outbox) and the in-app inbox item.
    const sms = readFileSync(join(stateDir, 'outbox', 'sms.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const text = JSON.stringify(sms.find((m) => JSON.stringify(m).includes(advocates.sms.phone!)));
    expect(amountsIn(text)).toEqual([quoted]);
    shown.sms = amountsIn(text)[0]!;
    const inbox = await new InboxStore(env.doc, env.tableName).list(advocates.in_app.id, ['open']);
    expect(inbox).toHaveLength(1);
    expect(amountsIn(`${inbox[0]!.title} ${inbox[0]!.body}`)).toEqual([quoted]);
    shown.in_app = quoted;

    // The share page from the email's link, and the status page.
    const link = (path: string) => new RegExp(`${env.publicBaseUrl.replace(/[.:/]/g, '\\$&')}/${path}/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+`).exec(eml)?.[0];
    const share = await fetch(link('s')!);
    expect(share.status).toBe(200);
    const shareHtml = await share.text();
    expect(amountsIn(shareHtml)).toEqual([quoted]);
    expect(shareHtml).toContain('15% off');
    shown.share = quoted;
    const statusUrl = link('me')!;
    const statusBefore = await (await fetch(statusUrl)).text();
    expect(amountsIn(statusBefore)).toEqual([quoted]);
    shown.status = quoted;

    // The friend clicks (a phone browser) and lands on the hosted page: the offer the ask quoted.
    const click = await fetch(`${env.http!.url}/r/${ask.referralCode}`, { redirect: 'manual', headers: { 'user-agent': PHONE_ANDROID } });
    expect(click.status).toBe(302);
    const landingUrl = new URL(click.headers.get('location')!);
    const clickId = landingUrl.searchParams.get('click')!;
    const landing = await (await fetch(`${env.http!.url}${landingUrl.pathname}${landingUrl.search}`)).text();
    expect(landing).toContain('15% off');

    // The shop's server posts the friend's purchase, signed.
    const secret = await loadWebhookSecret(process.env);
    const body = JSON.stringify({ type: 'purchase', idempotencyKey: 'quote-order-1', externalCustomerId: 'shop-friend-1', email: 'friend.one@example.net', clickId, referralCode: ask.referralCode, amountMinor: 8900, currency: 'EUR', occurredAt: `${DAY}T15:00:00Z` });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${env.http!.url}/conversions`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-referral-timestamp': String(ts), 'x-referral-signature': signWebhook(secret, ts, body) } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'recorded', advocateId: advocates.email.id });

    // The ledger books the quote; every amount shown equals it.
    const booked = (await new LedgerStore(env.doc, env.tableName).current(advocates.email.id)).filter((e) => e.beneficiary === 'advocate');
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ amountMinor: 1500, currency: 'EUR', tierLabel: 'Regular', state: 'held', promised: true });
    const bookedText = formatMoney({ amountMinor: booked[0]!.amountMinor, currency: booked[0]!.currency }, 'en');
    expect(shown).toEqual({ email: bookedText, sms: bookedText, in_app: bookedText, share: bookedText, status: bookedText });
    const statusAfter = await (await fetch(statusUrl)).text();
    expect(amountsIn(statusAfter)).toEqual([bookedText]);
  });
});
