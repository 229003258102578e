// Languages: the locale a customer is served in (their locale, its language, the campaign's default), plural rules
// for tenure and counts, dates and money in the customer's locale, and a German ask rendered from the shipped templates.
import { describe, expect, it } from 'vitest';
import { FsTemplateSource } from '../../../adapters/templates-fs.js';
import { FileCampaignRepository, FileProgramSource } from '../../../adapters/campaign-files.js';
import { brandContext } from '../../../core/brand.js';
import { acceptedLocale, achievementPhrase, countPhrase, formatDate, localeChain, resolveLocale, yearsPhrase } from '../../../core/i18n.js';
import { buildAskContext, renderAsk } from '../../../core/render.js';
import { referralTerms } from '../../../core/terms.js';
import type { Customer } from '../../../core/schemas/customer.js';

describe('locale resolution', () => {
  it('falls back from the customer locale to its language, then to the campaign default', () => {
    expect(localeChain('de-AT', 'en')).toEqual(['de-AT', 'de', 'en']);
    expect(resolveLocale('de-AT', ['en', 'de'])).toBe('de');
    expect(resolveLocale('de_at', ['en', 'de'])).toBe('de');
    expect(resolveLocale('pt-BR', ['en', 'de'])).toBe('en');
    expect(resolveLocale(undefined, ['de', 'en'])).toBe('de');
    expect(resolveLocale('not a locale!', ['en', 'de'])).toBe('en');
  });

  it('reads the preferred language of an Accept-Language header by weight', () => {
    expect(acceptedLocale('en;q=0.5, de-AT, de;q=0.9')).toBe('de-AT');
    expect(acceptedLocale('*')).toBeUndefined();
    expect(acceptedLocale(undefined)).toBeUndefined();
  });
});

describe('plurals and formats', () => {
  it('uses Intl.PluralRules for tenure: 1 year / 2 years, 1 Jahr / 2 Jahre', () => {
    expect([1, 2].map((n) => yearsPhrase(n, 'en'))).toEqual(['1 year', '2 years']);
    expect([1, 2].map((n) => yearsPhrase(n, 'de-AT'))).toEqual(['1 Jahr', '2 Jahre']);
    expect(yearsPhrase(0, 'de')).toBe('weniger als ein Jahr');
    expect([1, 3].map((n) => countPhrase(n, 'day', 'de'))).toEqual(['1 Tag', '3 Tage']);
    expect([1, 3].map((n) => countPhrase(n, 'referral', 'en'))).toEqual(['1 referral', '3 referrals']);
    expect(achievementPhrase({ kind: 'nth_purchase', years: 0, n: 10 }, 'de')).toBe('Ihre 10. Bestellung');
    expect(achievementPhrase({ kind: 'nth_purchase', years: 0, n: 22 }, 'en')).toBe('your 22nd order');
  });

  it('formats dates in the customer locale', () => {
    expect(formatDate('2026-06-09', 'de-AT')).toBe('9. Juni 2026');
    expect(formatDate('2026-06-09', 'en-US')).toBe('June 9, 2026');
  });
});

describe('a German ask from the shipped templates', () => {
  const customer = (locale: string): Customer =>
    ({ id: 'c1', firstName: 'Jürgen', lastName: 'Öz', email: 'j@example.org', locale, timezone: 'Europe/Vienna', signupDate: '2024-06-09', consents: { email: true }, counters: { successfulReferrals: 0 } }) as unknown as Customer;

  async function render(locale: string, channel: 'email' | 'sms') {
    const campaign = (await new FileCampaignRepository().get('signup-anniversary'))!;
    const program = await new FileProgramSource().get();
    const variant = campaign.variants.find((v) => v.id === 'tenure-pride')!;
    const ctx = buildAskContext({
      campaign,
      variant,
      customer: customer(locale),
      milestone: { kind: 'signup_anniversary', occurrenceId: 'signup_anniversary#2026', occurredOn: '2026-06-09', years: 2 },
      quote: { tenureYears: 2, advocate: { amountMinor: 1500, currency: 'EUR' }, friend: { amountMinor: 2000, currency: 'EUR' }, tierLabel: 'x' },
      links: { shareUrl: 'https://go.test/s/1', referralUrl: 'https://go.test/r/abc', unsubscribeUrl: 'https://go.test/u/1', termsUrl: 'https://go.test/t/x' },
      brand: brandContext(program, 'https://go.test'),
      defaultLocale: program.defaultLocale,
    });
    return { ctx, out: await renderAsk(new FsTemplateSource('templates'), campaign, variant, channel, ctx) };
  }

  it('de-AT: German subject (inline translation), body, SMS and share message; money in Austrian format', async () => {
    const { ctx, out } = await render('de-AT', 'email');
    expect(ctx.locale).toBe('de');
    expect(out.subject).toBe('2 Jahre gemeinsam, Jürgen: auf Sie!');
    expect(out.text).toContain('Alles Gute zum Jubiläum, Jürgen!');
    expect(out.text).toMatch(/€\s15\b/u);
    expect(out.text).toContain('Musterstraße 1');
    expect(out.html).toContain('Musterstraße 1');
    expect(out.html).toContain('lang="de"');
    expect(out.shareMessage).toMatch(/^2 Jahre Kundschaft/);
    expect(out.text).toContain('lang=de');
    const sms = (await render('de-AT', 'sms')).out;
    expect(sms.text).toMatch(/2 Jahre mit uns.*STOP zum Abmelden$/);
  });

  it('pt-BR: the campaign default (English), money still in the customer locale', async () => {
    const { ctx, out } = await render('pt-BR', 'email');
    expect(ctx.locale).toBe('en');
    expect(out.subject).toBe("2 years together, Jürgen: here's to you");
    expect(out.text).toContain('Happy anniversary, Jürgen!');
    expect(out.html).toContain('lang="en"');
  });
});

describe('the referral terms', () => {
  it('give the hold period, caps, tiers and expiry from the campaign file, counted with plural rules and money in the reader locale', async () => {
    const campaign = (await new FileCampaignRepository().get('signup-anniversary'))!;
    const en = referralTerms(campaign, 'en', 'en');
    expect(en.hold).toBe(`${campaign.reward.holdDays} days`);
    expect(en.cap?.rewards).toBe(`${campaign.reward.perAdvocateCap!.maxRewards} rewards`);
    expect(en.window).toBe(`${campaign.attribution.windowDays} days`);
    expect(en.tiers.map((t) => t.from)).toEqual(campaign.reward.tenureTiers.map((t) => (t.minYears === 1 ? '1 year' : `${t.minYears} years`)));
    expect(JSON.stringify(en)).not.toContain(campaign.name);
    const de = referralTerms(campaign, 'de', 'de-AT');
    expect(de.window_dative).toBe(`${campaign.attribution.windowDays} Tagen`);
    expect(de.tiers[0]!.amount).toMatch(/€\s10/u);
    expect(de.friend_offer).toContain('Rabatt');
  });
});
