// The whole referral journey in real Chromium (playwright-core driving Debian's /usr/bin/chromium) against the local
// environment started in this process on random ports: dynalite, the SES v2 local server, the HTTP API and the run
// state machine as synthesized. An advocate opens the share link from an email in the mailbox, taps share buttons,
// a friend follows the referral link in a separate, fresh browser, lands on the page that names the advocate and
// signs up. The test fails, never skips, when Chromium is missing (CI installs it).
import { existsSync } from 'node:fs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWebhookSecret } from '../../adapters/webhook-secret.js';
import { formatMoney } from '../../core/render.js';
import { generateCustomers } from '../../core/seed.js';
import { signWebhook } from '../../core/webhooks.js';
import type { Customer } from '../../core/schemas/customer.js';
import type { RunInput } from '../../core/schemas/workflow.js';
import { definitionFromCdkOut } from '../../local/definition.js';
import type { LocalEnvironment } from '../../local/environment.js';
import { runExecution } from '../../local/run-campaign.js';
import { makeApprover } from '../../functions/rewards/approver.js';
import { conversionDeps } from '../../functions/conversions/wiring.js';
import { systemClock } from '../../adapters/clock.js';
import { CHROMIUM, E2eSession } from './harness.js';
import { FileProgramSource } from '../../adapters/campaign-files.js';

const CAMPAIGN = 'signup-anniversary';
// A day on which a fifth of the seeded customers have their signup anniversary (the seed makes them due on `today`).
const DAY = '2026-03-14';
const FRIEND = { name: 'Sam', email: 'sam.friend@example.net', externalId: 'shop-cust-sam-1' };

const session = new E2eSession();
let env: LocalEnvironment;
let customers: Customer[];
const freshBrowser = () => session.freshBrowser();

async function itemsUnder(pk: string, prefix: string): Promise<Array<Record<string, unknown>>> {
  const out = await env.doc.send(new QueryCommand({ TableName: env.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': prefix } }));
  return out.Items ?? [];
}

/** POST /conversions as the shop's server does: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared secret. */
async function postConversion(body: Record<string, unknown>, secret: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(`${env.http!.url}/conversions`, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', 'x-referral-timestamp': String(timestamp), 'x-referral-signature': signWebhook(secret, timestamp, raw) },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

beforeAll(async () => {
  env = await session.start('asks-e2e');
  customers = generateCustomers({ count: 120, seed: 7, today: DAY, dueTodayShare: 0.2 });
  await env.customers.putMany(customers);
}, 60_000);

afterAll(() => session.stop());

describe('referral journey in Chromium', () => {
  it('goes from the email in the mailbox to a share, a click in a fresh browser, a signup, a purchase rewarded on the status page and a refund that voids it', async () => {
    // A missing browser is a failure of this test, never a skip.
    expect(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: install Debian's chromium package`).toBe(true);

    // The campaign runs for the day through the synthesized state machine, as `npm start` runs it.
    const input: RunInput = { campaignId: CAMPAIGN, at: `${DAY}T12:00:00Z`, mode: 'day', runDate: DAY };
    const run = await runExecution({ definition: definitionFromCdkOut().definition, handlers: env.deps.handlers, input });
    expect(run.error).toBeUndefined();
    expect(run.summary?.totals.sent ?? 0).toBeGreaterThan(0);

    // The mailbox: every sent email as an .eml file, as `npm start` leaves it; take one with a share link.
    const emails = await session.mailbox();
    const base = env.publicBaseUrl;
    const baseRe = base.replace(/[.:/]/g, '\\$&');
    const linkTo = (path: string) => session.linkTo(path);
    const recipient = (eml: string) => /^To: (?:.*<)?([^<>\s]+@[^<>\s]+?)>?\s*$/m.exec(eml)?.[1]?.toLowerCase();
    // An ask to a seeded customer (the recipient is the advocate) that carries a share link.
    const email = emails.find((e) => linkTo('s').test(e) && customers.some((c) => c.email?.toLowerCase() === recipient(e)));
    expect(email, `no email to a seeded customer with a share link among ${emails.length}`).toBeDefined();
    const shareUrl = linkTo('s').exec(email!)![0];
    const emailStatusUrl = linkTo('me').exec(email!)?.[0];
    expect(emailStatusUrl, 'the email links to the status page').toBeDefined();
    const advocate = customers.find((c) => c.email?.toLowerCase() === recipient(email!))!;
    const years = Number(DAY.slice(0, 4)) - Number(advocate.signupDate.slice(0, 4));

    // The advocate opens the share page: it names them and their milestone.
    const { context: advocateBrowser, page } = await freshBrowser();
    await advocateBrowser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const response = await page.goto(shareUrl);
    expect(response?.status()).toBe(200);
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    expect(heading).toContain(advocate.firstName);
    expect(heading).toContain(`${years} ${years === 1 ? 'year' : 'years'} with us`);
    const referralUrl = await page.locator('#referral-link').inputValue();
    const code = new RegExp(`^${baseRe}/r/([a-z0-9]{10})$`).exec(referralUrl)?.[1];
    expect(code, `referral link ${referralUrl}`).toBeDefined();
    const codeItem = (await itemsUnder(`R#${code}`, 'CODE'))[0];
    expect(codeItem?.customerId).toBe(advocate.id);

    // Tap "Copy link": the link is copied and the share recorded.
    await page.getByRole('button', { name: 'Copy link' }).tap();
    await page.getByRole('button', { name: 'Copied!' }).waitFor();
    const copied = await eventually(() => itemsUnder(`R#${code}`, 'SHARE#'), (s) => s.some((i) => i.network === 'copy'));
    expect(copied.filter((i) => i.network === 'copy')).toHaveLength(1);
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(referralUrl);

    // Tap "X": the share is recorded and the browser is sent to X's share intent carrying the referral link (the
    // browser resolves no outside host, so the test never leaves the machine: the request is seen, then fails).
    const [intent] = await Promise.all([page.waitForRequest(/^https:\/\/x\.com\//), page.getByRole('button', { name: 'X', exact: true }).tap()]);
    expect(new URL(intent.url()).pathname).toBe('/intent/post');
    expect(new URL(intent.url()).searchParams.get('url')).toBe(referralUrl);
    expect(intent.redirectedFrom()?.url()).toMatch(/\/s\/[^/]+\/to\/x\?text=/);
    const shares = await itemsUnder(`R#${code}`, 'SHARE#');
    expect(shares.map((s) => s.network).sort()).toEqual(['copy', 'x']);

    // The friend, in a fresh browser, follows the referral link and lands on the hosted page naming the advocate.
    const { context: friendBrowser, page: friend } = await freshBrowser();
    await friend.goto(referralUrl);
    const landing = new URL(friend.url());
    expect(landing.pathname).toBe(`/l/${CAMPAIGN}`);
    const clickId = landing.searchParams.get('click');
    expect(clickId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    // The brand, never the campaign's internal name.
    const brand = (await new FileProgramSource().get()).company.name;
    expect(await friend.getByRole('heading', { level: 1 }).textContent()).toBe(`${advocate.firstName} invited you to ${brand}`);
    const clicks = await itemsUnder(`R#${code}`, 'CLICK#');
    expect(clicks.map((c) => c.clickId)).toEqual([clickId]);
    const cookie = (await friendBrowser.cookies(base)).find((c) => c.name === 'ref_click');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect((await advocateBrowser.cookies(base)).some((c) => c.name === 'ref_click')).toBe(false);

    // The friend signs up on the landing page: a lead bound to the click.
    await friend.getByLabel('Your first name').fill(FRIEND.name);
    await friend.getByLabel('Your email').fill(FRIEND.email);
    await friend.getByRole('button', { name: 'Sign up' }).tap();
    await friend.getByText(`Thanks, ${FRIEND.name}!`).waitFor();
    const leads = await itemsUnder(`R#${code}`, 'LEAD#');
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ email: FRIEND.email, clickId, rule: 'click_id', campaignId: CAMPAIGN });

    // The advocate follows "See your referrals and rewards" from the share page to the status page.
    await page.goto(shareUrl);
    await Promise.all([page.waitForURL(/\/me\//), page.getByRole('link', { name: 'See your referrals and rewards' }).tap()]);
    const stat = (name: string) => page.locator(`[data-stat="${name}"]`).textContent();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Your referrals, ${advocate.firstName}`);
    expect(await stat('shares')).toBe('2');
    expect(await stat('clicks')).toBe('1');
    // The landing-page signup is a lead; the shop has not reported a signup conversion.
    expect(await stat('leads')).toBe('1');
    expect(await stat('signups')).toBe('0');
    expect(await stat('conversions')).toBe('0');
    expect(await page.getByText('No rewards yet').count()).toBe(1);
    // The status link in the email opens the same page.
    const viaEmail = await fetch(emailStatusUrl!);
    expect(viaEmail.status).toBe(200);
    expect(await viaEmail.text()).toContain(`/r/${code}`);

    // The shop's server posts a signed purchase conversion with the click id from the landing URL; a bad signature
    // is refused first.
    const secret = await loadWebhookSecret(process.env);
    const purchase = { type: 'purchase', idempotencyKey: 'e2e-order-1', externalCustomerId: FRIEND.externalId, email: FRIEND.email, clickId, referralCode: code, amountMinor: 8900, currency: 'EUR', orderId: 'order-1', occurredAt: new Date().toISOString() };
    expect((await postConversion(purchase, 'not-the-secret-at-all')).status).toBe(401);
    const bought = await postConversion(purchase, secret);
    expect(bought.status).toBe(200);
    expect(bought.json).toMatchObject({ status: 'recorded', rule: 'click_id', referralCode: code, advocateId: advocate.id });
    const rewards = bought.json.rewards as Array<{ rewardId: string; beneficiary: string; state: string; amountMinor: number; currency: string }>;
    const reward = rewards.find((r) => r.beneficiary === 'advocate');
    expect(reward, JSON.stringify(bought.json)).toBeDefined();
    expect(reward!.state).toBe('held');
    expect(reward!.amountMinor).toBeGreaterThan(0);
    expect(rewards.find((r) => r.beneficiary === 'friend')?.state).toBe('held');
    const amount = formatMoney({ amountMinor: reward!.amountMinor, currency: reward!.currency }, advocate.locale);

    // The advocate sees the purchase and the reward, held for the refund window, on the status page.
    await page.reload();
    const row = page.locator(`[data-reward="${reward!.rewardId}"]`);
    expect(await stat('conversions')).toBe('1');
    expect(await row.getAttribute('data-state')).toBe('held');
    expect(await row.locator('.amount').textContent()).toBe(amount);
    expect(await row.locator('.state').textContent()).toBe('On hold');

    // The scheduled approver runs after the refund window: both sides (the advocate's reward and the friend's offer)
    // are approved, then issued (paid out).
    const wired = conversionDeps({ doc: env.doc, tableName: env.tableName, campaigns: env.deps.campaigns, publisher: env.deps.events });
    const afterWindow = new Date(Date.now() + 31 * 86_400_000).toISOString();
    expect(await makeApprover({ ledger: wired.ledger, publisher: wired.publisher, clock: systemClock })({ at: afterWindow })).toMatchObject({ approved: 2, issued: 2 });
    await page.reload();
    expect(await row.getAttribute('data-state')).toBe('issued');
    expect(await row.locator('.state').textContent()).toBe('Paid out');

    // The friend returns the order: the refund claws the reward back, also after it was paid out.
    const refund = { type: 'refund', idempotencyKey: 'e2e-refund-1', externalCustomerId: FRIEND.externalId, amountMinor: 8900, currency: 'EUR', orderId: 'order-1', occurredAt: new Date().toISOString() };
    const refunded = await postConversion(refund, secret);
    expect(refunded.status).toBe(200);
    expect(refunded.json).toMatchObject({ status: 'refunded' });
    await page.reload();
    expect(await row.getAttribute('data-state')).toBe('voided');
    expect(await row.locator('.state').textContent()).toBe('Voided');
    expect(await row.locator('.amount').textContent()).toBe(amount);
    expect(await page.getByText('Earned:').count()).toBe(0);
    expect(await page.getByText('Refunded purchases: 1.').count()).toBe(1);
    expect(session.cspViolations).toEqual([]);
  });
});
