// Every page a person meets, checked with axe-core (WCAG 2.1 A and AA rules) in real Chromium at phone size: the share
// page, the hosted landing page, the advocate's status page, the unsubscribe and preferences pages, and the friendly
// 404. The pages come from a real local run: links are read from an email in the mailbox, as a person would follow them.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateCustomers } from '../../core/seed.js';
import type { RunInput } from '../../core/schemas/workflow.js';
import { definitionFromCdkOut } from '../../local/definition.js';
import { runExecution } from '../../local/run-campaign.js';
import { CHROMIUM, E2eSession } from './harness.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const DAY = '2026-06-09';
const CAMPAIGN = 'signup-anniversary';
const session = new E2eSession();

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's WCAG 2.1 A/AA violations on the page as loaded (the test's browser lets axe past the pages' CSP). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`)) as Violation[];
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const pages = new Map<string, string>();

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: install Debian's chromium package`).toBe(true);
  const env = await session.start('asks-a11y');
  await env.customers.putMany(generateCustomers({ count: 120, seed: 3, today: DAY, dueTodayShare: 0.2 }));
  const input: RunInput = { campaignId: CAMPAIGN, at: `${DAY}T12:00:00Z`, mode: 'day', runDate: DAY };
  const run = await runExecution({ definition: definitionFromCdkOut().definition, handlers: env.deps.handlers, input });
  if (run.error) throw new Error(`the run failed: ${run.error}`);
  const email = (await session.mailbox()).find((e) => session.linkTo('s').test(e) && session.linkTo('u').test(e) && session.linkTo('p').test(e));
  if (!email) throw new Error('no email with share, unsubscribe and preferences links in the mailbox');
  for (const [name, path] of [['share page', 's'], ['status page', 'me'], ['unsubscribe page', 'u'], ['preferences page', 'p']] as const) {
    pages.set(name, session.linkTo(path).exec(email)![0]);
  }
  pages.set('not found page', `${env.publicBaseUrl}/s/not-a-real-token`);
}, 90_000);

afterAll(() => session.stop());

describe('accessibility (axe-core, WCAG 2.1 A/AA) in Chromium at phone size', () => {
  it.each(['share page', 'status page', 'unsubscribe page', 'preferences page', 'not found page'])('the %s has no violations', async (name) => {
    // Prepare
    const { page } = await session.freshBrowser({ bypassCSP: true });

    // Act
    await page.goto(pages.get(name)!);

    // Assess
    expect(await violations(page)).toEqual([]);
  });

  it('the check itself works: an image without alt text on the share page is reported', async () => {
    const { page } = await session.freshBrowser({ bypassCSP: true });
    await page.goto(pages.get('share page')!);
    await page.evaluate("document.querySelector('main, body').appendChild(Object.assign(document.createElement('img'), { src: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' }))");
    expect((await violations(page)).some((v) => v.startsWith('image-alt'))).toBe(true);
  });

  it('the landing page that names the advocate has no violations, also after a form error', async () => {
    // Prepare: the friend follows the referral link shown on the share page.
    const { page } = await session.freshBrowser({ bypassCSP: true });
    await page.goto(pages.get('share page')!);
    const referralUrl = await page.locator('#referral-link').inputValue();

    // Act
    await page.goto(referralUrl);
    const landing = await violations(page);
    await page.getByRole('button').first().tap();
    await page.waitForLoadState();

    // Assess
    expect(page.url()).toContain('/l/');
    expect(landing).toEqual([]);
    expect(await violations(page)).toEqual([]);
  });
});
