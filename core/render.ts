// Rendering an ask: the personalization context a template sees, and the liquid rendering of every message part
// (HTML escaped, text parts raw) for each channel. Pure: templates come in through the TemplateSource port.
import { Liquid, type FS } from 'liquidjs';
import { ValidationError } from './errors.js';
import type { TemplateSource } from './ports.js';
import type { MilestoneOccurrence, RewardQuote } from './schemas/ask.js';
import type { Campaign, Variant } from './schemas/campaign.js';
import type { Channel } from './schemas/common.js';
import { CHANNEL_PARTS, templateFileName, type TemplatePart } from './template-parts.js';
import type { Customer } from './schemas/customer.js';
import type { BrandContext } from './brand.js';
import { achievementPhrase, canonicalLocale, chromeStrings, formatDate, localizeCampaign, resolveLocale, yearsPhrase, type ChromeStrings } from './i18n.js';
import { formatMoney } from './money.js';
import { numberFormat, pluralRules } from './intl-cache.js';

export { CHANNEL_PARTS, TEMPLATE_PARTS, templateFileName, type TemplatePart } from './template-parts.js';

/** Everything a template may use. Keys are snake_case: marketers write `{{ customer.first_name }}`. */
export interface AskContext {
  customer: { id: string; first_name: string; last_name: string; locale: string; country: string; plan: string; tier: string };
  campaign: { id: string; name: string };
  variant: { id: string };
  /** The locale the message is written in (the customer's, its language, or the campaign's default). */
  locale: string;
  /** The customer's own locale, for money and dates ("de-AT"). */
  format_locale: string;
  /** The shared chrome's strings in `locale` (email footer). */
  t: ChromeStrings;
  milestone: {
    kind: string;
    occurred_on: string;
    /** occurred_on for people, in the customer's locale ("9. Juni 2026"). */
    date: string;
    years: number | null;
    threshold: string | number | null;
    /** "3 years", "1 year", "less than a year". */
    tenure: string;
    /** "your 10th order", "3 years with us", "your 2nd completed project". */
    achievement: string;
  };
  reward: {
    /** Formatted, e.g. "€25". */
    advocate: string;
    advocate_minor: number;
    /** What the friend gets, formatted ("€20", "15% off") or the offer description. */
    friend: string;
    friend_minor: number | null;
    currency: string;
    tier: string;
  };
  offer: { description: string; kind: string };
  links: { share_url: string; referral_url: string; unsubscribe_url: string; preferences_url: string; status_url: string; terms_url: string };
  company: { name: string; address: string };
  /** The program's brand (name, logo, colours, postal address); absent without a program file. */
  brand?: BrandContext;
  /** Filled in by renderAsk for the HTML layout (subject line, preheader). */
  message?: { subject?: string; preheader?: string };
}

export interface AskContextInput {
  campaign: Campaign;
  variant: Variant;
  customer: Customer;
  milestone: MilestoneOccurrence;
  /** The ask's quote (core/quote.ts `quoteFor` at claim, `quoteOf(ask)` after): the only source of amounts and years. */
  quote: RewardQuote;
  links: { shareUrl: string; referralUrl: string; unsubscribeUrl?: string; preferencesUrl?: string; statusUrl?: string; termsUrl?: string };
  company?: { name: string; address: string };
  brand?: BrandContext;
  /** The program's default locale (the language of unsuffixed templates); the campaign's first locale wins. */
  defaultLocale?: string;
}

/** Money for people (core/money.ts, the one formatter): "€25" for whole amounts, "€12.50" otherwise. */
export { formatMoney };

/** 1 -> "1st", 22 -> "22nd", 13 -> "13th". */
export function ordinal(n: number): string {
  const suffix: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };
  return `${n}${suffix[pluralRules('en', { type: 'ordinal' }).select(n)] ?? 'th'}`;
}

function achievementText(input: AskContextInput, years: number, locale: string, formatLocale: string): string {
  const { milestone, campaign } = input;
  const n = typeof milestone.threshold === 'number' ? milestone.threshold : Number(milestone.threshold);
  const money =
    milestone.kind === 'spend_threshold' && Number.isFinite(n) && n > 0
      ? formatMoney({ amountMinor: n, currency: campaign.milestone.kind === 'spend_threshold' ? campaign.milestone.currency : campaign.budget.currency }, formatLocale)
      : undefined;
  return achievementPhrase(
    { kind: milestone.kind, years, ...(Number.isFinite(n) ? { n } : {}), ...(money ? { money } : {}), ...(milestone.threshold !== undefined ? { tier: String(milestone.threshold) } : {}) },
    locale,
  );
}

/** The locale a customer is written to in this campaign: theirs, its language, else the campaign's default. */
export function servedLocale(campaign: Campaign, customerLocale: string | undefined, defaultLocale?: string): string {
  return resolveLocale(customerLocale, campaign.locales, campaign.locales[0] ?? defaultLocale);
}

/**
 * What the friend gets, for people: "€20", "15% off" ("15 % Rabatt" when served in German), or the offer's
 * description. `locale` formats numbers, `served` is the language the message is written in.
 */
export function friendText(quote: Pick<RewardQuote, 'friend' | 'friendPercentOff'>, description: string, locale = 'en', served = locale): string {
  if (quote.friend !== null) return formatMoney(quote.friend, locale);
  if (quote.friendPercentOff === undefined) return description;
  return `${numberFormat(canonicalLocale(locale) ?? 'en', { style: 'percent' }).format(quote.friendPercentOff / 100)} ${served.startsWith('de') ? 'Rabatt' : 'off'}`;
}

/** The personalization data for one ask. */
export function buildAskContext(input: AskContextInput): AskContext {
  const { customer, milestone, quote, links } = input;
  const served = servedLocale(input.campaign, customer.locale, input.defaultLocale);
  const campaign = localizeCampaign(input.campaign, served);
  const variant = campaign.variants.find((v) => v.id === input.variant.id) ?? input.variant;
  const locale = canonicalLocale(customer.locale) ?? served;
  const years = milestone.years ?? quote.tenureYears;
  const offer = campaign.offer;
  const friend = friendText(quote, offer.description, locale, served);
  return {
    customer: {
      id: customer.id,
      first_name: customer.firstName,
      last_name: customer.lastName ?? '',
      locale: customer.locale ?? '',
      country: customer.country ?? '',
      plan: customer.plan ?? '',
      tier: customer.tier ?? '',
    },
    campaign: { id: campaign.id, name: campaign.name },
    variant: { id: variant.id },
    locale: served,
    format_locale: locale,
    t: chromeStrings(served),
    milestone: {
      kind: milestone.kind,
      occurred_on: milestone.occurredOn,
      date: formatDate(milestone.occurredOn, locale),
      years: milestone.years ?? (milestone.kind === 'birthday' ? null : years),
      threshold: milestone.threshold ?? null,
      tenure: yearsPhrase(years, served),
      achievement: achievementText(input, years, served, locale),
    },
    reward: {
      advocate: formatMoney(quote.advocate, locale),
      advocate_minor: quote.advocate.amountMinor,
      friend,
      friend_minor: quote.friend?.amountMinor ?? null,
      currency: quote.advocate.currency,
      tier: quote.tierLabel,
    },
    offer: { description: offer.description, kind: offer.kind },
    links: {
      share_url: links.shareUrl,
      referral_url: links.referralUrl,
      unsubscribe_url: links.unsubscribeUrl ?? '',
      preferences_url: links.preferencesUrl ?? '',
      status_url: links.statusUrl ?? '',
      // The terms page in the message's language, whatever the reader's browser says.
      terms_url: links.termsUrl ? `${links.termsUrl}${links.termsUrl.includes('?') ? '&' : '?'}lang=${encodeURIComponent(served)}` : '',
    },
    company: { name: input.company?.name ?? input.brand?.name ?? '', address: input.company?.address ?? input.brand?.postal_address ?? '' },
    ...(input.brand ? { brand: input.brand } : {}),
  };
}

/** liquidjs reads includes and layouts ("layouts/email.html") through the TemplateSource port. */
function sourceFs(templates: TemplateSource): FS {
  const split = (file: string): { ref: string; part: string } => {
    const clean = file.replace(/^\.\//, '').replace(/\.liquid$/, '');
    const dot = clean.lastIndexOf('.');
    if (dot <= 0) return { ref: clean, part: 'html' };
    const part = clean.slice(dot + 1);
    return { ref: clean.slice(0, dot), part: part === 'txt' ? 'text' : part };
  };
  const read = async (file: string): Promise<string | undefined> => {
    const { ref, part } = split(file);
    return templates.load(ref, part);
  };
  return {
    exists: async (file) => (await read(file)) !== undefined,
    existsSync: () => false,
    readFile: async (file) => {
      const text = await read(file);
      if (text === undefined) throw new ValidationError(`template include "${file}" is missing`);
      return text;
    },
    readFileSync: (file) => {
      throw new ValidationError(`template include "${file}" can only be rendered asynchronously`);
    },
    resolve: (_dir, file) => file,
    sep: '/',
  };
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#34': '"' };

/** Decode the entities `escape` produces (and numeric ones), so a value escaped before is not escaped twice. */
export function unescapeHtml(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (HTML_ENTITIES[lower] !== undefined) return HTML_ENTITIES[lower]!;
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return whole;
  });
}

/**
 * A liquid engine whose every `{{ output }}` is HTML-escaped exactly once. Templates brought from other tools often
 * say `{{ name | escape }}` or `| escape_once`; under auto-escaping those would escape twice ("Tom &amp;amp; Jerry"),
 * so here `escape` hands the value on unchanged and `escape_once` decodes existing entities first: the automatic
 * escape at the end of the output is then the only one. `| raw` still opts out.
 */
export function autoEscapingLiquid(options: ConstructorParameters<typeof Liquid>[0] = {}): Liquid {
  const engine = new Liquid({ ...options, outputEscape: 'escape' });
  engine.registerFilter('escape', (value: unknown) => (value === undefined || value === null ? '' : String(value)));
  engine.registerFilter('escape_once', (value: unknown) => (value === undefined || value === null ? '' : unescapeHtml(String(value))));
  return engine;
}

/** Two liquid engines over one template source: HTML output is escaped, text output is not. */
export interface Renderer {
  html: Liquid;
  text: Liquid;
  templates: TemplateSource;
}

/** Create the engines once per template source and reuse them (parsed templates are cached). */
export function createRenderer(templates: TemplateSource): Renderer {
  const fs = sourceFs(templates);
  const common = { fs, root: ['.'], layouts: ['.'], partials: ['.'], relativeReference: false, cache: true, greedy: false };
  return {
    html: autoEscapingLiquid(common),
    text: new Liquid({ ...common }),
    templates,
  };
}

const renderers = new WeakMap<TemplateSource, Renderer>();
function rendererFor(templates: TemplateSource): Renderer {
  let renderer = renderers.get(templates);
  if (!renderer) {
    renderer = createRenderer(templates);
    renderers.set(templates, renderer);
  }
  return renderer;
}

// Parsed templates by engine and source text: a run renders the same few sources for every ask, and parsing is most
// of a render's cost. Bounded; the engine's own `cache` covers only templates it loads by name.
const parsedTemplates = new WeakMap<Liquid, Map<string, ReturnType<Liquid['parse']>>>();
const PARSED_LIMIT = 500;

/** `engine.parseAndRender(src, data)` with the parse cached per engine and source. Throws as liquidjs does. */
export function renderSource(engine: Liquid, src: string, data: object): Promise<string> {
  let cache = parsedTemplates.get(engine);
  if (!cache) parsedTemplates.set(engine, (cache = new Map()));
  let parsed = cache.get(src);
  if (!parsed) {
    parsed = engine.parse(src);
    if (cache.size >= PARSED_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(src, parsed);
  }
  return engine.render(parsed, data) as Promise<string>;
}

export interface RenderedAsk {
  subject?: string;
  preheader?: string;
  html?: string;
  text: string;
  shareMessage: string;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Render one ask for one channel. Throws ValidationError naming the template ref when a part is missing. */
export async function renderAsk(
  templates: TemplateSource | Renderer,
  campaign: Campaign,
  variant: Variant,
  channel: Channel,
  ctx: AskContext,
): Promise<RenderedAsk> {
  const renderer =
    'html' in templates && templates.html instanceof Liquid ? (templates as Renderer) : rendererFor(templates as TemplateSource);
  const source = renderer.templates;
  // Inline copy (subject, preheader, share message) in the served language; templates by locale below.
  variant = localizeCampaign(campaign, ctx.locale).variants.find((v) => v.id === variant.id) ?? variant;
  const ref = variant.templates[channel];
  if (!ref) {
    throw new ValidationError(
      `campaign ${campaign.id}: variant ${variant.id} has no template for channel ${channel} (variants[].templates.${channel})`,
    );
  }
  const locale = ctx.locale;
  const load = async (part: TemplatePart, required: boolean): Promise<string | undefined> => {
    const body = await source.load(ref, part, locale);
    if (body === undefined && required) {
      throw new ValidationError(
        `template "${ref}" has no ${part} part (templates/${templateFileName(ref, part)}) for channel ${channel} of campaign ${campaign.id}`,
      );
    }
    return body;
  };
  const spec = CHANNEL_PARTS[channel];
  const text = (src: string, data: object): Promise<string> => renderSource(renderer.text, src, data);

  // The friend must be able to follow the message, so the referral link is appended when the copy omits it.
  const share = (await text(variant.shareMessage, ctx)).trim();
  const shareMessage = share.includes(ctx.links.referral_url) ? share : `${share} ${ctx.links.referral_url}`;

  const result: RenderedAsk = { text: '', shareMessage };
  // Body parts also see the rendered subject/preheader (the HTML layout's <title>) and the share message.
  const partData = (): object => ({
    ...ctx,
    share_message: shareMessage,
    message: { subject: result.subject, preheader: result.preheader },
  });

  // The subject-like part: inline on the variant wins over the template file (A/B copy without new files).
  const headPart: TemplatePart | undefined = channel === 'in_app' ? 'title' : channel === 'sms' ? undefined : 'subject';
  if (headPart) {
    const inline = variant.subject;
    const required = spec.required.includes(headPart) && inline === undefined;
    const src = inline ?? (await load(headPart, required));
    if (src !== undefined) result.subject = oneLine(await text(src, ctx));
  }
  if (channel === 'email') {
    const src = variant.preheader ?? (await load('preheader', false));
    if (src !== undefined) result.preheader = oneLine(await text(src, ctx));
    const htmlSrc = (await load('html', true)) as string;
    result.html = await renderSource(renderer.html, htmlSrc, partData());
  }
  const textSrc = (await load('text', true)) as string;
  result.text = (await text(textSrc, partData())).trim();
  if (channel === 'sms') result.text = oneLine(result.text);
  return result;
}
