// Templates on disk: file naming, locale fallback, and the shipped templates render within channel limits.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsTemplateSource } from '../../../adapters/templates-fs.js';
import { loadCampaignDir } from '../../../adapters/campaign-files.js';
import { buildAskContext, renderAsk } from '../../../core/render.js';
import { countSms } from '../../../core/sms.js';
import { Customer } from '../../../core/schemas/customer.js';

async function tempTemplates(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'asks-tpl-'));
  for (const [name, body] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), body);
  }
  return dir;
}

describe('FsTemplateSource', () => {
  it('reads <ref>.txt.liquid for the text part', async () => {
    const dir = await tempTemplates({ 'a/sms.txt.liquid': 'hello' });
    expect(await new FsTemplateSource(dir).load('a/sms', 'text')).toBe('hello');
  });

  it('prefers the locale file, then the language, then the default', async () => {
    const dir = await tempTemplates({ 'a/sms.txt.liquid': 'en', 'a/sms.de.txt.liquid': 'de' });
    const source = new FsTemplateSource(dir);
    expect(await source.load('a/sms', 'text', 'de-AT')).toBe('de');
    expect(await source.load('a/sms', 'text', 'fr')).toBe('en');
  });

  it('returns undefined for a missing part and for refs outside the directory', async () => {
    const dir = await tempTemplates({ 'a/sms.txt.liquid': 'x' });
    const source = new FsTemplateSource(dir);
    expect(await source.load('a/sms', 'html')).toBeUndefined();
    expect(await source.load('../../etc/passwd', 'text')).toBeUndefined();
  });
});

describe('shipped templates', () => {
  it('render every channel of every shipped campaign, SMS within two GSM-7 segments', async () => {
    // Prepare
    const { campaigns, problems } = await loadCampaignDir('campaigns', { templatesDir: 'templates' });
    expect(problems).toEqual([]);
    const source = new FsTemplateSource('templates');
    const customer = Customer.parse({ id: 'c1', firstName: 'Maximiliane', timezone: 'Europe/Berlin', signupDate: '2020-01-15' });
    let rendered = 0;
    for (const campaign of campaigns) {
      for (const variant of campaign.variants) {
        const ctx = buildAskContext({
          campaign,
          variant,
          customer,
          milestone: { kind: campaign.milestone.kind, occurrenceId: 'x#1', occurredOn: '2026-01-15', years: 6, threshold: 100 },
          quote: { tenureYears: 6, advocate: { amountMinor: 2500, currency: 'EUR' }, friend: { amountMinor: 2000, currency: 'EUR' }, tierLabel: 'T' },
          links: {
            shareUrl: 'https://refer.example.com/s/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
            referralUrl: 'https://refer.example.com/r/AbCdEfGhIj',
          },
          company: { name: 'Shop', address: 'Street 1' },
        });
        for (const channel of Object.keys(variant.templates) as Array<keyof typeof variant.templates>) {
          // Act
          const out = await renderAsk(source, campaign, variant, channel, ctx);
          rendered++;
          // Assess
          expect(out.text.length).toBeGreaterThan(0);
          if (channel === 'sms') {
            expect(out.text).toContain(ctx.links.share_url);
            expect(countSms(out.text).segments).toBeLessThanOrEqual(2);
          }
          if (channel === 'email') {
            expect(out.subject).toBeTruthy();
            expect(out.html).toContain('Share with a friend');
            expect(out.html).toContain(ctx.links.share_url);
          }
        }
      }
    }
    expect(rendered).toBeGreaterThanOrEqual(10);
  });
});
