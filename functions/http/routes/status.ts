// The advocate's status page (/me/:token): for one campaign's referral code, how many shares (by network), clicks,
// signups and conversions it brought, and every reward with its state and amount (formatted from integer minor units).
// Only a token minted for 'status' opens it; unknown, tampered or mismatched tokens get the same 404 as everywhere.
import { DynamoCodeStore } from '../../../adapters/dynamo/codes.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { LedgerStore, type LedgerEntry } from '../../../adapters/dynamo/ledger.js';
import { ReferralActivityReader } from '../../../adapters/dynamo/status.js';
import { pageProgram, pageResponse } from '../../../adapters/channels/pages.js';
import { localizeCampaign, phraseLanguage, rewardStateText } from '../../../core/i18n.js';
import { friendText, servedLocale } from '../../../core/render.js';
import { isReferralCode, verifyTokenFor } from '../../../core/links.js';
import { formatMoney, formatTotals } from '../../../core/money.js';
import { quoteOf } from '../../../core/quote.js';
import { DynamoAskStore } from '../../../adapters/dynamo/asks.js';
import type { HttpDeps } from '../deps.js';
import type { HttpRequest, HttpResponse, RouteHandler, RouteParams } from '../types.js';
import { notFound } from './referrals.js';

const NETWORK_LABELS: Record<string, string> = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp', x: 'X', linkedin: 'LinkedIn', facebook: 'Facebook', copy: 'Copied link', native: 'Share sheet' };

function dateText(iso: string | undefined, locale: string, timeZone: string): string | undefined {
  if (!iso || !Number.isFinite(Date.parse(iso))) return undefined;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
  }
}

function rewardRow(e: LedgerEntry, locale: string, timeZone: string, language: string) {
  const holdUntil = e.state === 'held' ? dateText(e.holdUntil, locale, timeZone) : undefined;
  const state = rewardStateText(e.state, language, holdUntil);
  return {
    id: e.rewardId,
    state: e.state,
    label: state.label,
    note: state.note,
    amount: formatMoney({ amountMinor: e.amountMinor, currency: e.currency }, locale),
    date: dateText(e.at, locale, timeZone) ?? '',
  };
}

/** Sum per currency, formatted ("€30", or "€30 + $10" across currencies). */
function total(entries: LedgerEntry[], locale: string): string | undefined {
  if (!entries.length) return undefined;
  return formatTotals(entries, locale);
}

async function statusPage(_req: HttpRequest, params: RouteParams, deps: HttpDeps): Promise<HttpResponse> {
  const payload = verifyTokenFor('status', params.token!, deps.keyring, deps.clock.now());
  if (!payload?.k || !payload.r || !isReferralCode(payload.r)) return notFound(deps);
  const [owner, campaign, customer] = await Promise.all([
    new DynamoCodeStore(deps.doc, deps.tableName, deps.ids).owner(payload.r),
    deps.campaigns.get(payload.k),
    new CustomerStore(deps.doc, deps.tableName).get(payload.c).catch(() => undefined), // locale and zone only
  ]);
  // A genuine token whose code belongs to somebody else (or another campaign) shows nothing: same page as a bad one.
  if (!owner || !campaign || owner.customerId !== payload.c || owner.campaignId !== campaign.id) return notFound(deps);
  const [activity, ledger, ask] = await Promise.all([
    new ReferralActivityReader(deps.doc, deps.tableName).activity(payload.r),
    new LedgerStore(deps.doc, deps.tableName).current(payload.c),
    payload.o ? new DynamoAskStore(deps.doc, deps.tableName).get(payload.c, payload.o) : Promise.resolve(undefined),
  ]);
  const locale = customer?.locale ?? 'en';
  const program = await pageProgram().get();
  const served = servedLocale(campaign, customer?.locale, program.defaultLocale);
  const language = phraseLanguage(served);
  // What the ask promised per referral (core/quote.ts), the same amounts the ledger books.
  const quote = ask ? quoteOf(ask, campaign) : undefined;
  const timeZone = customer?.timezone ?? 'UTC';
  const mine = ledger.filter((e) => e.campaignId === campaign.id && e.beneficiary === 'advocate').sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const earned = mine.filter((e) => e.state === 'approved' || e.state === 'issued');
  const coming = mine.filter((e) => e.state === 'pending' || e.state === 'held' || e.state === 'review' || e.state === 'over_budget');
  const shares = Object.entries(activity.shares.byNetwork)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([network, count]) => ({ network: NETWORK_LABELS[network] ?? network, count }));
  return pageResponse(
    200,
    'status',
    {
      title: language === 'de' ? 'Ihre Empfehlungen' : 'Your referrals',
      locale: served,
      first_name: owner.firstName,
      company: program.company.name,
      share_visits: activity.shareVisits,
      shares_total: activity.shares.total,
      shares,
      clicks: activity.clicks,
      // Apart, named as such: friends who left their details on the landing page (leads) and signups the shop reported.
      leads: activity.leads,
      signups: activity.signups,
      conversions: activity.conversions.byType.purchase ?? 0,
      refunds: activity.conversions.byType.refund ?? 0,
      at_least: activity.truncated,
      rewards: mine.map((e) => rewardRow(e, locale, timeZone, language)),
      earned_total: total(earned, locale),
      coming_total: total(coming, locale),
      referral_url: `${deps.baseUrl}/r/${payload.r}`,
      advocate_reward: quote ? formatMoney(quote.advocate, locale) : undefined,
      friend_offer: quote ? friendText(quote, localizeCampaign(campaign, served).offer.description, locale, served) : undefined,
    },
    deps.templatesDir,
  );
}

/** Handlers by route id (functions/http/route-list.ts). */
export const statusHandlers = { status: statusPage } satisfies Record<string, RouteHandler<HttpDeps>>;
