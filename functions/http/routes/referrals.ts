// The pages after the ask: the share page (/s/:token), recorded shares (/s/:token/to/:network), the referral click
// (/r/:code: stored before the redirect, bots not counted, first-party cookie, no open redirect) and the hosted
// landing page (/l/:campaign) with its signup form. Unknown or tampered tokens and codes all get the same 404 page.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
import { serialize as serializeCookie } from 'cookie';
import * as z from 'zod';
import { DynamoCodeStore } from '../../../adapters/dynamo/codes.js';
import { DynamoAskStore } from '../../../adapters/dynamo/asks.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { pageProgram, pageResponse, PAGE_SECURITY_HEADERS } from '../../../adapters/channels/pages.js';
import { ReferralActivityStore } from '../../../adapters/dynamo/referral-activity.js';
import { ShortLinkStore } from '../../../adapters/dynamo/short-links.js';
import { classifyAgent } from '../../../adapters/user-agents.js';
import { defaultTemplatesDir } from '../../../adapters/templates-fs.js';
import { signToken, verifyTokenFor, parseReferralCode } from '../../../core/links.js';
import { attributionCookieValue, CLICK_DEDUPE_SECONDS, isShareNetwork, parseAttributionCookie, shareIntent } from '../../../core/clicks.js';
import { buildAskContext, friendText, servedLocale } from '../../../core/render.js';
import { acceptedLocale, localizeCampaign } from '../../../core/i18n.js';
import { referralTerms } from '../../../core/terms.js';
import { quoteOf, type RewardQuote } from '../../../core/quote.js';
import { projectEvent } from '../../../core/schemas/events.js';
import { emitEventMetrics } from '../../../adapters/metrics.js';
import { DEFAULT_RETENTION_DAYS, expiresAtFor } from '../../../core/privacy.js';
import { leadIndexKey } from '../../../adapters/dynamo/keys.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import type { HttpDeps } from '../deps.js';
import { isHead } from '../router.js';
import type { HttpRequest, HttpResponse, RouteParams, RouteHandler } from '../types.js';

const liquid = new Liquid();

/** The stores these routes use, built once per deps (once per Lambda: deps are cached), never per request. */
interface ReferralPorts {
  codes: DynamoCodeStore;
  customers: CustomerStore;
  asks: DynamoAskStore;
  activity: ReferralActivityStore;
  shortLinks: ShortLinkStore;
}
const portsByDeps = new WeakMap<HttpDeps, ReferralPorts>();
export function referralPorts(deps: HttpDeps): ReferralPorts {
  let ports = portsByDeps.get(deps);
  if (!ports) {
    ports = {
      codes: new DynamoCodeStore(deps.doc, deps.tableName, deps.ids),
      customers: new CustomerStore(deps.doc, deps.tableName),
      asks: new DynamoAskStore(deps.doc, deps.tableName),
      activity: new ReferralActivityStore(deps.doc, deps.tableName),
      shortLinks: new ShortLinkStore(deps.doc, deps.tableName),
    };
    portsByDeps.set(deps, ports);
  }
  return ports;
}

export const notFound = (deps: Pick<HttpDeps, 'templatesDir'>, req?: HttpRequest): Promise<HttpResponse> =>
  pageResponse(404, 'not-found', { title: 'Link not found', locale: acceptedLocale(req?.headers['accept-language']) }, deps.templatesDir);

/**
 * Pages with the share script may load scripts from this origin only (no inline script). The share buttons submit to
 * /s/:token/to/:network, which redirects to the network's intent: browsers apply form-action to that redirect too, so
 * the intent hosts of core/clicks.ts shareIntent (and mailto:/sms:) must be allowed or the buttons do nothing.
 */
const SHARE_FORM_TARGETS = "'self' https://wa.me https://x.com https://www.linkedin.com https://www.facebook.com mailto: sms:";
const SHARE_PAGE_HEADERS = { ...PAGE_SECURITY_HEADERS, 'content-security-policy': `default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action ${SHARE_FORM_TARGETS}; base-uri 'none'; frame-ancestors 'none'` };

/**
 * The friend's offer as the ask quoted it (core/quote.ts), with the campaign's description in the reader's language
 * (`locale`), money in `formatLocale`.
 */
function offerText(input: Campaign, quote: RewardQuote, locale: string, formatLocale = locale): string {
  const o = localizeCampaign(input, locale).offer;
  const amount = friendText(quote, o.description, formatLocale, locale);
  return amount === o.description ? amount : `${amount} (${o.description})`;
}

interface ShareView {
  campaign: Campaign;
  code: string;
  customerId: string;
  askId: string;
  shareMessage: string;
  subject: string;
  referralUrl: string;
}

async function loadShare(token: string, deps: HttpDeps): Promise<(ShareView & { page: Record<string, unknown> }) | undefined> {
  const payload = verifyTokenFor('share', token, deps.keyring, deps.clock.now());
  if (!payload?.k || !payload.o || !payload.r) return undefined;
  const ports = referralPorts(deps);
  const [campaign, customer, ask] = await Promise.all([deps.campaigns.get(payload.k), ports.customers.get(payload.c), ports.asks.get(payload.c, payload.o)]);
  if (!campaign || !customer || !ask) return undefined;
  const variant = campaign.variants.find((v) => v.id === ask.variantId) ?? campaign.variants[0]!;
  const referralUrl = `${deps.baseUrl}/r/${payload.r}`;
  const quote = quoteOf(ask, campaign);
  const program = await pageProgram().get();
  const ctx = buildAskContext({ campaign, variant, customer, milestone: ask.milestone, quote, links: { shareUrl: `${deps.baseUrl}/s/${token}`, referralUrl }, defaultLocale: program.defaultLocale });
  const localized = localizeCampaign(campaign, ctx.locale).variants.find((v) => v.id === variant.id) ?? variant;
  const shareMessage = await liquid.parseAndRender(localized.shareMessage, ctx);
  const brand = program.company.name;
  const de = ctx.locale.startsWith('de');
  return {
    campaign,
    code: payload.r,
    customerId: customer.id,
    askId: ask.askId,
    shareMessage,
    subject: de ? `${customer.firstName} lädt Sie zu ${brand} ein` : `${customer.firstName} invites you to try ${brand}`,
    referralUrl,
    page: {
      title: de ? `${brand} weiterempfehlen` : `Share ${brand}`,
      locale: ctx.locale,
      first_name: customer.firstName,
      achievement: ctx.milestone.achievement,
      company: brand,
      friend_offer: offerText(campaign, quote, ctx.locale, ctx.format_locale),
      terms_url: `/t/${campaign.id}?lang=${encodeURIComponent(ctx.locale)}`,
      advocate_reward: ctx.reward.advocate,
      share_message: shareMessage,
      referral_url: referralUrl,
      share_base: `/s/${token}`,
      // The status page takes its own token: a share link cannot open it, nor it a share page.
      status_url: `/me/${signToken({ ...payload, p: 'status' }, deps.keyring)}`,
    },
  };
}

async function sharePage(req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  const view = await loadShare(params.token!, deps);
  if (!view) return notFound(deps);
  // HEAD (link checkers, mail clients) sees the page's headers and records no visit.
  if (!isHead(req) && classifyAgent(req.headers['user-agent']) === 'human') await recordShareVisit(view, deps);
  const page = await pageResponse(200, 'share', view.page, deps.templatesDir);
  return { ...page, headers: SHARE_PAGE_HEADERS };
}

async function recordShareVisit(view: ShareView, deps: HttpDeps): Promise<void> {
  await referralPorts(deps).activity.countShareVisit(view.code);
  await deps.publisher.publish([projectEvent('referral.share.viewed', { occurredAt: deps.clock.now().toISOString(), askId: view.askId, campaignId: view.campaign.id, customerId: view.customerId, referralCode: view.code })]);
}

/** `/k/<id>`: the SMS's short link, a redirect to the ask's share page on the same domain. */
async function shortShare(_req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  const token = await referralPorts(deps).shortLinks.resolve(params.id!);
  if (!token) return notFound(deps);
  return { status: 302, headers: { location: `${deps.baseUrl}/s/${token}`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } };
}

async function shareTo(req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  const network = params.network!;
  if (!isShareNetwork(network)) return notFound(deps);
  const view = await loadShare(params.token!, deps);
  if (!view) return notFound(deps);
  const at = deps.clock.now().toISOString();
  if (!isHead(req)) {
    await referralPorts(deps).activity.putShare(view.code, { network, campaignId: view.campaign.id, customerId: view.customerId, at }, deps.ids.id(8));
    await deps.publisher.publish([projectEvent('referral.share.recorded', { occurredAt: at, askId: view.askId, campaignId: view.campaign.id, customerId: view.customerId, referralCode: view.code, network })]);
  }
  if (network === 'copy') return { status: 204, headers: { 'cache-control': 'no-store' } };
  // The edited message travels only inside the intent's query; the destination host is fixed per network.
  const text = (req.query.text ?? view.shareMessage).slice(0, 1000);
  return { status: 302, headers: { location: shareIntent(network, { url: view.referralUrl, text, subject: view.subject }), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } };
}

function landingUrl(campaign: Campaign, deps: HttpDeps, code: string, clickId: string): string {
  if (campaign.landing.type === 'url') {
    const url = new URL(campaign.landing.url);
    // Only the campaign file chooses the destination, and its host must be allow-listed there.
    if (!campaign.landing.allowedHosts.includes(url.host)) return `${deps.baseUrl}/l/${campaign.id}?ref=${code}&click=${clickId}`;
    url.searchParams.set('ref', code);
    url.searchParams.set('click', clickId);
    return url.toString();
  }
  return `${deps.baseUrl}/l/${campaign.id}?ref=${code}&click=${clickId}`;
}

/**
 * Where `referral.click.recorded` comes from. "stream": the table's stream feeds an EventBridge Pipe that puts click
 * inserts on the bus (infra/stateful-stack.ts), so the click costs one write and the event cannot be lost between
 * the write and a publish. Otherwise (the embedded runtime, tests) the handler publishes it after the write.
 */
export const clickEventsFromStream = (env: NodeJS.ProcessEnv = process.env): boolean => env.CLICK_EVENTS_SOURCE === 'stream';

/** "ref_click=<code>.<clickId>.<epoch>; ...": code and click id are validated ids, so no cookie encoding is needed. */
/** First-party, HttpOnly, SameSite=Lax; Secure except on plain-http localhost. */
function firstPartyCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return serializeCookie(name, value, { maxAge: maxAgeSeconds, path: '/', httpOnly: true, secure, sameSite: 'lax' });
}

/** The visitor id kept in `ref_vid` for a year: clicks of one browser share it (dedupe, velocity), never a person's data. */
const VISITOR_COOKIE = 'ref_vid';
const VISITOR_ID = /^[A-Za-z0-9_-]{16,32}$/;
const YEAR_SECONDS = 365 * 86_400;

// The hot path: one cached owner lookup (codes never change owner), the memoized campaign, and exactly one write.
async function click(req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  // "/r/ABCD…", " abcd… ", look-alikes: one normalized code (core/links.ts).
  const code = parseReferralCode(params.code!);
  if (!code) return notFound(deps);
  const owner = await referralPorts(deps).codes.owner(code);
  const campaign = owner ? await deps.campaigns.get(owner.campaignId) : undefined;
  if (!owner || !campaign) return notFound(deps);
  const now = deps.clock.now();
  const agent = classifyAgent(req.headers['user-agent']);
  const previous = req.cookies.ref_click === undefined ? undefined : parseAttributionCookie(req.cookies.ref_click);
  const repeat = previous && previous.code === code && now.getTime() - previous.issuedAt.getTime() < CLICK_DEDUPE_SECONDS * 1000;
  const clickId = repeat ? previous.clickId : deps.ids.id(16);
  const knownVisitor = req.cookies[VISITOR_COOKIE];
  const visitorId = knownVisitor !== undefined && VISITOR_ID.test(knownVisitor) ? knownVisitor : deps.ids.id(16);
  const headers: Record<string, string> = { location: landingUrl(campaign, deps, code, clickId), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
  // Scanners and previewers follow links nobody clicked; HEAD only asks where the link goes. Neither is a click.
  if (agent !== 'human' || isHead(req)) return { status: 302, headers };
  if (!repeat) {
    const at = now.toISOString();
    await referralPorts(deps).activity.putClick({ clickId, visitorId, referralCode: code, campaignId: campaign.id, advocateId: owner.customerId, at, expiresAt: expiresAtFor(at, deps.retentionDays ?? DEFAULT_RETENTION_DAYS) });
    const event = projectEvent('referral.click.recorded', { occurredAt: at, clickId, referralCode: code, campaignId: campaign.id });
    // The stream's pipe publishes the event; the Clicks metric is still counted here, where the click happens.
    if (!clickEventsFromStream()) await deps.publisher.publish([event]);
    else emitEventMetrics([event]);
  }
  const secure = !deps.insecureCookies;
  const cookies = [firstPartyCookie('ref_click', attributionCookieValue(code, clickId, repeat ? previous.issuedAt : now), campaign.attribution.windowDays * 86_400, secure)];
  if (visitorId !== knownVisitor) cookies.push(firstPartyCookie(VISITOR_COOKIE, visitorId, YEAR_SECONDS, secure));
  return { status: 302, headers, cookies };
}

async function landing(req: HttpRequest, params: RouteParams, deps: HttpDeps, extra: Record<string, unknown> = {}): Promise<HttpResponse> {
  const campaign = await deps.campaigns.get(params.campaign!);
  if (!campaign) return notFound(deps);
  const ref = parseReferralCode(req.query.ref ?? parseAttributionCookie(req.cookies.ref_click)?.code ?? '');
  const owner = ref ? await referralPorts(deps).codes.owner(ref) : undefined;
  const advocate = owner && owner.campaignId === campaign.id ? owner.firstName : undefined;
  const program = await pageProgram().get();
  // The friend is not a customer yet: their browser's language, among the campaign's.
  const browser = acceptedLocale(req.headers['accept-language']);
  const locale = servedLocale(campaign, browser, program.defaultLocale);
  const localized = localizeCampaign(campaign, locale);
  const headline = localized.landing.type === 'hosted' ? localized.landing.headline : undefined;
  // The offer the friend's ask quoted (the advocate's ask behind the code); without a code, the campaign's offer today.
  const sep = advocate && owner ? owner.askId.indexOf('~') : -1;
  const ask = owner && sep > 0 ? await new DynamoAskStore(deps.doc, deps.tableName).get(owner.askId.slice(0, sep), owner.askId.slice(sep + 1)) : undefined;
  const quote = quoteOf(ask ?? { milestone: {} }, campaign);
  return pageResponse(
    200,
    'landing',
    { title: headline ?? program.company.name, locale, headline, advocate, company: program.company.name, friend_offer: offerText(campaign, quote, locale, browser ?? locale), campaign_id: campaign.id, terms_url: `/t/${campaign.id}?lang=${encodeURIComponent(locale)}`, ref: advocate ? ref : '', click: req.query.click ?? '', ...extra },
    deps.templatesDir,
  );
}

/** The referral terms of a campaign (/t/:campaign), linked from the share and landing pages and the emails. */
async function termsPage(req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  const campaign = await deps.campaigns.get(params.campaign!);
  if (!campaign) return notFound(deps, req);
  const program = await pageProgram().get();
  const browser = acceptedLocale(req.headers['accept-language']);
  const locale = servedLocale(campaign, req.query.lang ?? browser, program.defaultLocale);
  const terms = referralTerms(campaign, locale, browser ?? locale);
  return pageResponse(200, 'terms', { title: 'Referral program terms', locale, terms }, deps.templatesDir);
}

const LeadForm = z.object({
  name: z.string().trim().min(1, 'name: please tell us your first name').max(100),
  email: z.email('email: please enter a valid email address').max(254),
  ref: z.string().max(32).default(''),
  click: z.string().max(64).default(''),
  /** The explicit marketing-consent box: unchecked by default, absent from the form when unchecked. */
  marketing: z.enum(['on', 'true', '1', 'yes']).optional(),
});

async function signup(req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  const campaign = await deps.campaigns.get(params.campaign!);
  if (!campaign) return notFound(deps);
  const form = LeadForm.safeParse(Object.fromEntries(new URLSearchParams(req.body)));
  if (!form.success) return landing({ ...req, query: { ...req.query } }, params, deps, { error: form.error.issues[0]?.message ?? 'please check the form' });
  const cookie = parseAttributionCookie(req.cookies.ref_click);
  const at = deps.clock.now().toISOString();
  const leadId = deps.ids.id(16);
  const code = parseReferralCode(form.data.ref) ?? cookie?.code ?? '';
  const clickId = form.data.click || cookie?.clickId;
  await referralPorts(deps).activity.putLead(
    code || undefined,
    {
      leadId,
      campaignId: campaign.id,
      email: form.data.email.toLowerCase(),
      name: form.data.name,
      ...(clickId ? { clickId } : {}),
      rule: form.data.click ? 'click_id' : cookie ? 'cookie' : 'none',
      // Stored with the lead; nothing here ever messages the friend (docs/privacy.md).
      marketingConsent: form.data.marketing !== undefined,
      at,
      // Retention: the table's TTL deletes the lead (the local runtime sweeps).
      expiresAt: expiresAtFor(at, deps.retentionDays ?? DEFAULT_RETENTION_DAYS),
    },
    leadIndexKey(form.data.email, deps.keyring),
  );
  await deps.publisher.publish([projectEvent('referral.lead.recorded', { occurredAt: at, leadId, campaignId: campaign.id, ...(code ? { referralCode: code } : {}) })]);
  return landing(req, params, deps, { done: true, name: form.data.name });
}

const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

async function asset(_req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  const file = params.file!;
  const ext = file.slice(file.lastIndexOf('.'));
  if (!/^[a-z0-9-]+\.(js|css|svg|png)$/.test(file) || !ASSET_TYPES[ext]) return notFound(deps);
  try {
    const path = join(deps.templatesDir ?? defaultTemplatesDir(), 'assets', file);
    // The PNG logo twin (emails) is bytes; everything else is text.
    const body = ext === '.png' ? await readFile(path) : await readFile(path, 'utf8');
    const headers: Record<string, string> = { 'content-type': ASSET_TYPES[ext]!, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' };
    // An SVG opened on its own must not run anything (the logo is an image, never a document).
    if (ext === '.svg') headers['content-security-policy'] = "default-src 'none'; style-src 'unsafe-inline'";
    return { status: 200, headers, body };
  } catch {
    return notFound(deps);
  }
}

/** Handlers by route id (functions/http/route-list.ts). */
export const referralHandlers = {
  sharePage,
  shareTo,
  shortShare,
  click,
  landing: (req, params, deps) => landing(req, params, deps),
  signup,
  asset,
  terms: termsPage,
} satisfies Record<string, RouteHandler<HttpDeps>>;

