// The company's voice, end to end on the local stack: a real day run of the anniversary campaign for customers in
// de-AT and pt-BR. Every email carries the sender's display name (RFC 2047-encoded, SES rejects raw non-ASCII names) and
// the postal address in the HTML and the text part; de-AT customers get German email, SMS and share page, pt-BR
// customers the campaign's default (English). In Chromium, every page a person meets shows the brand name and logo,
// never a campaign id or internal name, at phone and desktop widths, and stays axe-clean.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FileCampaignRepository, FileProgramSource } from '../../adapters/campaign-files.js';
import { generateCustomers } from '../../core/seed.js';
import type { Customer } from '../../core/schemas/customer.js';
import type { Program } from '../../core/schemas/program.js';
import type { RunInput } from '../../core/schemas/workflow.js';
import { definitionFromCdkOut } from '../../local/definition.js';
import { runExecution } from '../../local/run-campaign.js';
import { CHROMIUM, E2eSession } from './harness.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const DAY = '2026-06-09';
const CAMPAIGN = 'signup-anniversary';
const session = new E2eSession();

interface Email {
  headers: Record<string, string>;
  text: string;
  html: string;
}

/** A raw message's headers (unfolded) and its text/plain and text/html parts, transfer encodings undone. */
function parseEml(raw: string): Email {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = rest.join('\n\n');
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  const parts = boundary ? body.split(`--${boundary}`) : [body];
  const out: Email = { headers, text: '', html: '' };
  for (const part of parts) {
    const [partHead = '', ...partBody] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    const type = /content-type:\s*([^;\r\n]+)/i.exec(partHead)?.[1]?.trim().toLowerCase();
    const encoding = /content-transfer-encoding:\s*([^\r\n]+)/i.exec(partHead)?.[1]?.trim().toLowerCase();
    let content = partBody.join('\n\n');
    if (encoding === 'base64') content = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    else if (encoding === 'quoted-printable') content = Buffer.from(content.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    if (type === 'text/plain') out.text = content;
    if (type === 'text/html') out.html = content;
  }
  return out;
}

/** RFC 2047 encoded-words decoded (B and Q), as a mail client shows a header. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

const addressOf = (header: string): string => /<([^>]+)>/.exec(header)?.[1] ?? header.trim();

let program: Program;
let customers: Customer[];
let emails: Email[] = [];
const forbidden: string[] = [];
const pages = new Map<string, string>();
const localeOf = new Map<string, string>();

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: install Debian's chromium package`).toBe(true);
  program = await new FileProgramSource().get();
  for (const c of await new FileCampaignRepository().list()) forbidden.push(c.id, c.name);
  const env = await session.start('asks-brand');
  // Half the customers in Austrian German, half in Brazilian Portuguese (a locale the campaign does not speak); every
  // fourth one prefers SMS.
  customers = generateCustomers({ count: 160, seed: 7, today: DAY, dueTodayShare: 0.3 }).map((c, i) => {
    const locale = i % 2 === 0 ? 'de-AT' : 'pt-BR';
    const sms = i % 4 < 2 && c.phone !== undefined;
    return { ...c, locale, optOut: false, doNotAsk: false, ...(sms ? { preferredChannel: 'sms' as const, consents: { ...c.consents, sms: true } } : { preferredChannel: 'email' as const, consents: { ...c.consents, email: true } }) };
  });
  for (const c of customers) {
    if (c.email) localeOf.set(c.email.toLowerCase(), c.locale!);
    if (c.phone) localeOf.set(c.phone, c.locale!);
  }
  await env.customers.putMany(customers);
  const input: RunInput = { campaignId: CAMPAIGN, at: `${DAY}T12:00:00Z`, mode: 'day', runDate: DAY };
  const run = await runExecution({ definition: definitionFromCdkOut().definition, handlers: env.deps.handlers, input });
  if (run.error) throw new Error(`the run failed: ${run.error}`);
  const raw = await session.mailbox();
  emails = raw.map(parseEml);
  const german = raw.find((e) => session.linkTo('s').test(e) && localeOf.get(addressOf(parseEml(e).headers.to ?? '').toLowerCase()) === 'de-AT');
  const english = raw.find((e) => session.linkTo('s').test(e) && localeOf.get(addressOf(parseEml(e).headers.to ?? '').toLowerCase()) === 'pt-BR');
  if (!german || !english) throw new Error('the run sent no email to a de-AT or no email to a pt-BR customer');
  for (const [name, path] of [['share page', 's'], ['status page', 'me'], ['unsubscribe page', 'u'], ['preferences page', 'p']] as const) {
    pages.set(name, session.linkTo(path).exec(english)![0]);
  }
  pages.set('German share page', session.linkTo('s').exec(german)![0]);
  pages.set('not-found page', `${env.publicBaseUrl}/s/not-a-real-token`);
  pages.set('landing page', `${env.publicBaseUrl}/l/${CAMPAIGN}`);
  pages.set('terms page', `${env.publicBaseUrl}/t/${CAMPAIGN}`);
}, 120_000);

afterAll(() => session.stop());

describe('every email', () => {
  it('has a From display name (RFC 2047-encoded, decoding to the program sender) and the postal address in the HTML and text parts', () => {
    expect(emails.length).toBeGreaterThan(5);
    for (const email of emails) {
      const from = email.headers.from ?? '';
      expect(from, 'raw header is ASCII').toMatch(/^[\x20-\x7e]+$/);
      expect(from).toMatch(/=\?UTF-8\?B\?/i);
      // The local SES server re-emits the header through nodemailer, which may quote the decoded name.
      expect(decodeHeader(from).replace(/"/g, '')).toBe(`${program.sender.name} <${addressOf(from)}>`);
      for (const line of program.postalAddress) {
        expect(email.text, 'text part').toContain(line);
        expect(email.html, 'HTML part').toContain(line);
      }
      // Emails load the PNG twin of the SVG logo: mail clients such as Gmail do not show SVG.
      expect(email.html).toContain(`/assets/${program.logo.file.replace(/\.svg$/, '.png')}`);
      expect(email.html).not.toContain(`/assets/${program.logo.file}`);
      // Links may carry ids in their paths; what a person reads must not name a campaign.
      const readable = email.text.replace(/https?:\/\/\S+/g, '');
      for (const word of forbidden) expect(readable).not.toContain(word);
    }
  });

  it('is German for a de-AT customer and English (the default) for a pt-BR customer, tenure with plural rules', () => {
    const byLocale = (locale: string) => emails.filter((e) => localeOf.get(addressOf(e.headers.to ?? '').toLowerCase()) === locale);
    const de = byLocale('de-AT');
    const en = byLocale('pt-BR');
    expect(de.length).toBeGreaterThan(0);
    expect(en.length).toBeGreaterThan(0);
    for (const e of de) {
      expect(e.html).toMatch(/<html lang="de"/);
      expect(e.text).toMatch(/Alles Gute zum Jubiläum|Jahre? gemeinsam/);
      expect(e.text).toMatch(/\b1 Jahr\b|\b\d+ Jahre\b/);
      expect(e.text).not.toMatch(/\byears?\b/);
      expect(e.text).toContain('Abmelden');
    }
    for (const e of en) {
      expect(e.html).toMatch(/<html lang="en"/);
      expect(e.text).toMatch(/\b1 year\b|\b\d+ years\b/);
      expect(e.text).toContain('Unsubscribe');
    }
  });
});

describe('SMS', () => {
  it('is German for a de-AT customer and English for a pt-BR customer', () => {
    const lines = readFileSync(join(session.stateDir, 'outbox', 'sms.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; text: string });
    const de = lines.filter((l) => localeOf.get(l.to) === 'de-AT');
    const en = lines.filter((l) => localeOf.get(l.to) === 'pt-BR');
    expect(de.length).toBeGreaterThan(0);
    expect(en.length).toBeGreaterThan(0);
    for (const l of de) expect(l.text).toMatch(/STOP zum Abmelden/);
    for (const l of en) expect(l.text).toMatch(/Reply STOP to opt out/);
  });
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`)) as Violation[];
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const PAGES = ['share page', 'German share page', 'status page', 'unsubscribe page', 'preferences page', 'not-found page', 'landing page', 'terms page'];

describe.each([
  { width: 'phone', desktop: false },
  { width: 'desktop', desktop: true },
])('in Chromium at $width width', ({ desktop }) => {
  it.each(PAGES)('the %s shows the brand name and logo, no campaign id or internal name, and is axe-clean', async (name) => {
    // Prepare
    const { page } = await session.freshBrowser({ bypassCSP: true, desktop });

    // Act
    await page.goto(pages.get(name)!);
    await page.waitForLoadState('load');

    // Assess
    await expect(page.locator('[data-brand-name]').innerText()).resolves.toBe(program.company.name);
    const logo = page.locator(`header img[src="/assets/${program.logo.file}"]`);
    expect(await logo.isVisible()).toBe(true);
    expect(await logo.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    expect(await logo.getAttribute('alt')).toBe(program.logo.alt);
    const text = await page.locator('body').innerText();
    const title = await page.title();
    for (const word of forbidden) {
      expect(text, `${name} shows "${word}"`).not.toContain(word);
      expect(title).not.toContain(word);
    }
    expect(await violations(page)).toEqual([]);
  });
});

describe('pages in the customer language', () => {
  it('the share page of a de-AT customer is German, of a pt-BR customer English; both link the referral terms', async () => {
    const { page } = await session.freshBrowser();
    await page.goto(pages.get('German share page')!);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await expect(page.locator('h1').innerText()).resolves.toMatch(/^Danke für/);
    await page.getByRole('link', { name: 'Teilnahmebedingungen' }).click();
    await page.waitForLoadState('load');
    expect(page.url()).toContain(`/t/${CAMPAIGN}`);
    for (const heading of ['Wer teilnehmen kann', 'Prämien und Bedingungen', 'Wartezeit', 'Obergrenzen', 'Gültigkeit']) {
      await expect(page.getByRole('heading', { name: heading }).count()).resolves.toBe(1);
    }
    await page.goto(pages.get('share page')!);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expect(page.locator('h1').innerText()).resolves.toMatch(/^Thanks for/);
    await expect(page.getByRole('link', { name: 'Referral terms' }).count()).resolves.toBe(1);
  });
});
