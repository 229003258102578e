// The referral terms a person can read before sharing or signing up (/t/<campaign>): who is eligible, what each side
// gets and when, the hold period, the caps and when a referral expires, all from the campaign file. This module gives
// the facts, already formatted for the reader (money in their locale, counts with Intl.PluralRules); the wording is in
// the page templates per locale (templates/pages/terms.<locale>.liquid). Pure.
import { countPhrase, localizeCampaign, yearsPhrase } from './i18n.js';
import { formatMoney } from './money.js';
import type { Campaign } from './schemas/campaign.js';

export interface TermsFacts {
  /** What the friend gets: "€ 20 (20 € Rabatt auf die erste Bestellung)". */
  friend_offer: string;
  /** Per tenure tier: the years ("1 year", "2 to 5 years", "6 years" + open) and the amount. */
  tiers: Array<{ from: string; to: string; open: boolean; same: boolean; amount: string }>;
  /** Bonus tiers: from how many referrals ("3 referrals"), the extra amount. */
  bonuses: Array<{ from: string; amount: string }>;
  /** "30 days". */
  hold: string;
  cap: { rewards: string; amount: string; period: string; period_dative: string } | null;
  /** "30 days" and the dative form for German ("30 Tagen"). */
  window: string;
  window_dative: string;
}

/**
 * The terms' facts for a campaign in `locale` (wording language) with money in `formatLocale` ("de-AT" -> "€ 25").
 * Internal fields (the campaign's id and name, budgets) never appear.
 */
export function referralTerms(input: Campaign, locale: string, formatLocale = locale): TermsFacts {
  const campaign = localizeCampaign(input, locale);
  const money = (amountMinor: number): string => formatMoney({ amountMinor, currency: campaign.reward.currency }, formatLocale);
  const r = campaign.reward;
  const o = campaign.offer;
  const offerAmount = o.amountMinor !== undefined ? formatMoney({ amountMinor: o.amountMinor, currency: o.currency }, formatLocale) : o.percentOff !== undefined ? new Intl.NumberFormat(formatLocale, { style: 'percent' }).format(o.percentOff / 100) : undefined;
  const cap = r.perAdvocateCap;
  return {
    friend_offer: offerAmount ? `${offerAmount} (${o.description})` : o.description,
    tiers: r.tenureTiers.map((t) => ({
      from: yearsPhrase(t.minYears, locale),
      to: t.maxYears === undefined ? '' : yearsPhrase(t.maxYears, locale),
      open: t.maxYears === undefined,
      same: t.maxYears === t.minYears,
      amount: money(t.amountMinor),
    })),
    bonuses: r.referralTiers.map((t) => ({ from: countPhrase(t.minReferrals, 'referral', locale), amount: money(t.bonusMinor) })),
    hold: countPhrase(r.holdDays, 'day', locale),
    cap: cap
      ? {
          rewards: cap.maxRewards === undefined ? '' : countPhrase(cap.maxRewards, 'reward', locale),
          amount: cap.maxAmountMinor === undefined ? '' : money(cap.maxAmountMinor),
          period: countPhrase(cap.periodDays, 'day', locale),
          period_dative: countPhrase(cap.periodDays, 'dayDative', locale),
        }
      : null,
    window: countPhrase(campaign.attribution.windowDays, 'day', locale),
    window_dative: countPhrase(campaign.attribution.windowDays, 'dayDative', locale),
  };
}
