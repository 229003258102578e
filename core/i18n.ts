// Languages: which locale a customer is served in (their locale, then its language, then the campaign's default),
// the phrases the domain builds itself (tenure, achievements, counts) with Intl.PluralRules, and the short strings of
// the shared chrome (email footer, page header and footer). Message bodies and pages are templates per locale.
// Pure: no I/O.
import type { Campaign } from './schemas/campaign.js';
import type { RewardState } from './rewards.js';
import { dateTimeFormat, numberFormat, pluralRules } from './intl-cache.js';

/** Languages the domain has phrases for; a template in another language still renders, with English phrases. */
export const PHRASE_LANGUAGES = ['en', 'de'] as const;
export type PhraseLanguage = (typeof PHRASE_LANGUAGES)[number];

const canonical = new Map<string, string | undefined>();

/** A canonical BCP 47 tag ("de_at" -> "de-AT"), or undefined when it is not one. */
export function canonicalLocale(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  if (canonical.has(locale)) return canonical.get(locale);
  let tag: string | undefined;
  try {
    tag = Intl.getCanonicalLocales(locale.replace(/_/g, '-'))[0];
  } catch {
    tag = undefined;
  }
  if (canonical.size < 1000) canonical.set(locale, tag);
  return tag;
}

/** "de-AT" -> "de". */
export function languageOf(locale: string): string {
  return locale.split('-')[0]!.toLowerCase();
}

/**
 * The lookup order for a customer: their locale, its language, then the fallback (the campaign's default) and its
 * language; duplicates removed. `localeChain('de-AT', 'en')` -> ["de-AT", "de", "en"].
 */
export function localeChain(locale: string | undefined, fallback: string): string[] {
  const out: string[] = [];
  const add = (l: string | undefined): void => {
    if (l && !out.includes(l)) out.push(l);
  };
  const own = canonicalLocale(locale);
  if (own) {
    add(own);
    add(languageOf(own));
  }
  const def = canonicalLocale(fallback) ?? 'en';
  add(def);
  add(languageOf(def));
  return out;
}

/**
 * The locale a customer is served in among the ones a campaign supports: the first of their chain the campaign lists
 * (exactly, or by language: a campaign listing "de" serves "de-AT"), else the campaign's default (its first locale).
 */
export function resolveLocale(locale: string | undefined, supported: readonly string[], fallback?: string): string {
  const list = supported.map((s) => canonicalLocale(s) ?? s);
  const def = canonicalLocale(fallback) ?? list[0] ?? 'en';
  for (const candidate of localeChain(locale, def)) {
    if (list.includes(candidate)) return candidate;
  }
  return def;
}

/** The phrase language for a served locale ("de-AT" -> "de"; anything without phrases -> "en"). */
export function phraseLanguage(locale: string): PhraseLanguage {
  return languageOf(locale) === 'de' ? 'de' : 'en';
}

type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** Pick the plural form for n with Intl.PluralRules of the language; "#" in the form is replaced by n. */
export function plural(n: number, forms: Plural, locale: string): string {
  const rule = pluralRules(locale).select(n);
  return (forms[rule] ?? forms.other).replace('#', numberFormat(locale).format(n));
}

const YEARS: Record<PhraseLanguage, { none: string; forms: Plural }> = {
  en: { none: 'less than a year', forms: { one: '# year', other: '# years' } },
  de: { none: 'weniger als ein Jahr', forms: { one: '# Jahr', other: '# Jahre' } },
};

/** "1 year" / "2 years", "1 Jahr" / "2 Jahre"; under one year "less than a year". */
export function yearsPhrase(years: number, locale: string): string {
  const p = YEARS[phraseLanguage(locale)];
  return years < 1 ? p.none : plural(years, p.forms, locale);
}

const ORDINAL_EN: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };

/** 1 -> "1st", 22 -> "22nd" (en); "1." in German. */
export function ordinalPhrase(n: number, locale: string): string {
  if (phraseLanguage(locale) === 'de') return `${n}.`;
  return `${n}${ORDINAL_EN[pluralRules('en', { type: 'ordinal' }).select(n)] ?? 'th'}`;
}

/** What the domain says about a milestone, per language. `n` is the threshold, `money` a formatted amount. */
export interface AchievementInput {
  kind: string;
  years: number;
  n?: number;
  money?: string;
  tier?: string;
}

export function achievementPhrase(a: AchievementInput, locale: string): string {
  const de = phraseLanguage(locale) === 'de';
  const y = yearsPhrase(a.years, locale);
  const hasN = a.n !== undefined && Number.isFinite(a.n) && a.n > 0;
  switch (a.kind) {
    case 'signup_anniversary':
      return de ? `${y} bei uns` : `${y} with us`;
    case 'first_purchase_anniversary':
      return de ? `${y} seit Ihrer ersten Bestellung` : `${y} since your first order`;
    case 'birthday':
      return de ? 'Ihr Geburtstag' : 'your birthday';
    case 'contract_renewal':
      if (a.years >= 1) return de ? `${y} Partnerschaft` : `${y} of partnership`;
      return de ? 'Ihre Vertragsverlängerung' : 'your contract renewal';
    case 'nth_purchase':
      if (hasN) return de ? `Ihre ${ordinalPhrase(a.n!, locale)} Bestellung` : `your ${ordinalPhrase(a.n!, locale)} order`;
      return de ? 'Ihre letzte Bestellung' : 'your latest order';
    case 'spend_threshold':
      return de ? `${a.money ?? ''} Einkaufswert bei uns`.trim() : `${a.money ?? 'a new amount'} spent with us`;
    case 'tier_reached':
      if (a.tier !== undefined) return de ? `Ihr Aufstieg zu ${a.tier}` : `reaching ${a.tier}`;
      return de ? 'Ihre neue Stufe' : 'your new tier';
    case 'project_completed':
      if (hasN && a.n! > 1) return de ? `Ihr ${ordinalPhrase(a.n!, locale)} abgeschlossenes Projekt` : `your ${ordinalPhrase(a.n!, locale)} completed project`;
      return de ? 'Ihr abgeschlossenes Projekt' : 'your completed project';
    default:
      return '';
  }
}

/** "1 friend" / "3 friends", "1 Freund" / "3 Freunde" and the like, for counts on pages and in messages. */
export function countPhrase(n: number, noun: 'friend' | 'referral' | 'reward' | 'day' | 'dayDative', locale: string): string {
  const de = phraseLanguage(locale) === 'de';
  const forms: Record<typeof noun, Plural> = de
    ? { friend: { one: '# Freund', other: '# Freunde' }, referral: { one: '# Empfehlung', other: '# Empfehlungen' }, reward: { one: '# Prämie', other: '# Prämien' }, day: { one: '# Tag', other: '# Tage' }, dayDative: { one: '# Tag', other: '# Tagen' } }
    : { friend: { one: '# friend', other: '# friends' }, referral: { one: '# referral', other: '# referrals' }, reward: { one: '# reward', other: '# rewards' }, day: { one: '# day', other: '# days' }, dayDative: { one: '# day', other: '# days' } };
  return plural(n, forms[noun], locale);
}

/** The shared chrome's strings (`{{ t.unsubscribe }}`): email footer, page header and footer. */
export interface ChromeStrings {
  email_reason: string;
  unsubscribe: string;
  email_preferences: string;
  your_referrals: string;
  referral_terms: string;
  support: string;
  terms: string;
}

const CHROME: Record<PhraseLanguage, ChromeStrings> = {
  en: {
    email_reason: 'You receive this because you are a customer of',
    unsubscribe: 'Unsubscribe',
    email_preferences: 'Email preferences',
    your_referrals: 'Your referrals',
    referral_terms: 'Referral terms',
    support: 'Help',
    terms: 'Terms',
  },
  de: {
    email_reason: 'Sie erhalten diese Nachricht als Kundin oder Kunde von',
    unsubscribe: 'Abmelden',
    email_preferences: 'E-Mail-Einstellungen',
    your_referrals: 'Ihre Empfehlungen',
    referral_terms: 'Teilnahmebedingungen',
    support: 'Hilfe',
    terms: 'AGB',
  },
};

export function chromeStrings(locale: string): ChromeStrings {
  return CHROME[phraseLanguage(locale)];
}

/** What each reward ledger state means to the advocate (the status page), per phrase language. */
const REWARD_STATES: Record<PhraseLanguage, Record<RewardState, { label: string; note: string }>> = {
  en: {
    pending: { label: 'Pending', note: 'We are checking the purchase.' },
    held: { label: 'On hold', note: 'Waiting for the refund window to end.' },
    approved: { label: 'Approved', note: 'On its way to you.' },
    issued: { label: 'Paid out', note: 'Sent to you.' },
    voided: { label: 'Voided', note: 'The purchase was refunded or cancelled.' },
    review: { label: 'In review', note: 'We are taking a closer look; nothing for you to do.' },
    over_budget: { label: 'Waiting', note: 'The campaign budget is used up for now.' },
  },
  de: {
    pending: { label: 'In Prüfung', note: 'Wir prüfen den Kauf.' },
    held: { label: 'Wartezeit', note: 'Die Widerrufsfrist läuft noch.' },
    approved: { label: 'Freigegeben', note: 'Ist auf dem Weg zu Ihnen.' },
    issued: { label: 'Ausgezahlt', note: 'An Sie ausgezahlt.' },
    voided: { label: 'Storniert', note: 'Der Kauf wurde erstattet oder storniert.' },
    review: { label: 'In Prüfung', note: 'Wir sehen genauer hin; Sie müssen nichts tun.' },
    over_budget: { label: 'Wartet', note: 'Das Budget ist im Moment aufgebraucht.' },
  },
};

/**
 * A reward state's label and note in `locale`'s phrase language; `holdUntil` (already formatted for the reader) names
 * the day a hold ends. An unknown state shows as itself.
 */
export function rewardStateText(state: RewardState, locale: string, holdUntil?: string): { label: string; note: string } {
  const language = phraseLanguage(locale);
  const text = REWARD_STATES[language][state] ?? { label: state, note: '' };
  if (state !== 'held' || !holdUntil) return text;
  return { label: text.label, note: language === 'de' ? `Die Widerrufsfrist endet am ${holdUntil}.` : `Waiting for the refund window to end on ${holdUntil}.` };
}

/** A date (YYYY-MM-DD or an instant) for people in their locale and zone: "9. Juni 2026", "Jun 9, 2026". */
export function formatDate(value: string, locale: string, timeZone = 'UTC'): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  if (!Number.isFinite(date.getTime())) return value;
  try {
    return dateTimeFormat(canonicalLocale(locale) ?? 'en', { dateStyle: 'long', timeZone: /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'UTC' : timeZone }).format(date);
  } catch {
    return value; // an unknown zone: the ISO date is still readable
  }
}

/**
 * The campaign as a customer served in `locale` reads it: inline variant copy, offer description and landing headline
 * from `translations` (the locale, else its language), the rest unchanged. Never mutates the campaign.
 */
export function localizeCampaign(campaign: Campaign, locale: string): Campaign {
  const tr = campaign.translations?.[locale] ?? campaign.translations?.[languageOf(locale)];
  if (!tr) return campaign;
  const landing = campaign.landing.type === 'hosted' && tr.headline ? { ...campaign.landing, headline: tr.headline } : campaign.landing;
  return {
    ...campaign,
    offer: tr.offerDescription ? { ...campaign.offer, description: tr.offerDescription } : campaign.offer,
    landing,
    variants: campaign.variants.map((v) => {
      const t = tr.variants?.[v.id];
      if (!t) return v;
      return { ...v, ...(t.subject ? { subject: t.subject } : {}), ...(t.preheader !== undefined ? { preheader: t.preheader } : {}), ...(t.shareMessage ? { shareMessage: t.shareMessage } : {}) };
    }),
  };
}

/** The first locale of an Accept-Language header by weight ("de-AT,de;q=0.9,en;q=0.8" -> "de-AT"), or undefined. */
export function acceptedLocale(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: canonicalLocale(tag?.trim() === '*' ? undefined : tag?.trim()), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r): r is { tag: string; q: number; i: number } => r.tag !== undefined && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.tag;
}
