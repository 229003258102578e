// The demo and the report end to end: `npm start -- --no-serve`'s logic on an environment of its own (runs, simulated
// friends through the HTTP API, orders), then `asks report --json` against the event log it left, a click and a signed
// purchase posted to the running server, and the HTML report in Chromium (charts, axe-clean, phone and desktop).
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.js';
import { definitionFromCdkOut } from '../../local/definition.js';
import { runDemo } from '../../local/start.js';
import { signWebhook } from '../../core/webhooks.js';
import { CHROMIUM, E2eSession } from './harness.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const session = new E2eSession();
let events: string;
let baseUrl: string;
let demo: Awaited<ReturnType<typeof runDemo>>;

const report = async () => {
  const result = await run(['report', '--events', events, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { funnel: { total: { counts: Record<string, number> } } };
};
const sentEvents = () => readFileSync(events, 'utf8').split('\n').filter((l) => l.includes('"referral.ask.sent.v1"'));

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}`).toBe(true);
  process.env.DEMO_CUSTOMERS = '400';
  const env = await session.start('asks-report');
  baseUrl = env.http!.url;
  events = join(session.stateDir, 'events.jsonl');
  demo = await runDemo(env, definitionFromCdkOut().definition, new Date().toISOString().slice(0, 10), () => undefined, new Date(Date.now() - 60_000).toISOString());
}, 120_000);

afterAll(() => session.stop());

describe('npm start: the demo and the report', () => {
  it('asks someone in every shipped campaign and simulates friends through the handlers', () => {
    for (const c of demo.campaigns) expect(sentEvents().some((l) => l.includes(`"campaignId":"${c.id}"`)), `${c.id} asked nobody`).toBe(true);
    expect(demo.demo!.clicks).toBeGreaterThan(0);
    expect(demo.demo!.purchases).toBeGreaterThan(0);
    expect(demo.report.lines.join('\n')).toMatch(/first purchases/);
  });

  it('counts as many asks as the log has ask.sent events', async () => {
    expect((await report()).funnel.total.counts.asked).toBe(sentEvents().length);
  });

  it('a click and a signed purchase posted to the running server raise clicks and purchases by exactly one', async () => {
    // Prepare: an ask's referral code from the log, the report before.
    const code = /"referralCode":"([a-z0-9]{10})"/.exec(sentEvents()[0]!)![1]!;
    const before = (await report()).funnel.total.counts;
    // Act: a friend clicks (a browser, no cookies) and buys through the signed webhook.
    const click = await fetch(`${baseUrl}/r/${code}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
    const clickId = new URL(click.headers.get('location')!, baseUrl).searchParams.get('click')!;
    const body = JSON.stringify({ type: 'purchase', idempotencyKey: 'e2e-purchase-1', externalCustomerId: 'e2e-friend-1', email: 'e2e.friend@demo.example', clickId, referralCode: code, amountMinor: 4200, currency: 'EUR', occurredAt: new Date().toISOString() });
    const ts = Math.floor(Date.now() / 1000);
    const secret = readFileSync(join(session.stateDir, 'webhook-secret'), 'utf8').trim();
    const res = await fetch(`${baseUrl}/conversions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-referral-timestamp': String(ts), 'x-referral-signature': signWebhook(secret, ts, body) }, body });
    expect(res.status).toBe(200);
    // Assess
    const after = (await report()).funnel.total.counts;
    expect(after.clicks - before.clicks).toBe(1);
    expect(after.purchases - before.purchases).toBe(1);
    expect(after.first_purchases - before.first_purchases).toBe(1);
  });

  it('serves the HTML report: charts as inline SVG, no network, axe-clean, readable on a phone and a desktop', async () => {
    const { page } = await session.freshBrowser({ bypassCSP: true });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${baseUrl}/report`);
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(5);
    expect(requests.filter((u) => !u.startsWith(`${baseUrl}/report`))).toEqual([]);
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`)) as string[];
    expect(violations).toEqual([]);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      const shot = await page.screenshot({ fullPage: true, path: join(session.stateDir, `report-${width}.png`) });
      expect(shot.length).toBeGreaterThan(10_000);
      // Nothing wider than the screen: the page scrolls down, never sideways (wide tables scroll inside their box).
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    }
    await page.emulateMedia({ media: 'print' });
    expect((await page.pdf({ format: 'A4' })).length).toBeGreaterThan(10_000);
  });
});
