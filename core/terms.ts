// The referral terms a person can read before sharing or signing up (/t/<campaign>): who is eligible, what each side
// gets and when, the hold period, the caps and when links and offers expire, all from the campaign file, in the
// reader's language, with money in their locale. Pure.
import { countPhrase, localizeCampaign, phraseLanguage, yearsPhrase } from './i18n.js';
import { formatMoney } from './money.js';
import type { Campaign } from './schemas/campaign.js';

export interface TermsSection {
  /** Stable id for tests and anchors: eligibility, rewards, hold, caps, expiry. */
  id: 'eligibility' | 'rewards' | 'hold' | 'caps' | 'expiry';
  heading: string;
  items: string[];
}

export interface TermsView {
  title: string;
  intro: string;
  sections: TermsSection[];
}

/**
 * The terms of a campaign. `locale` picks the language (en, de; others get English), `formatLocale` formats money
 * ("de-AT" -> "€ 25"). Internal fields (the campaign id and name, budgets) never appear.
 */
export function referralTerms(input: Campaign, locale: string, formatLocale = locale, brandName = ''): TermsView {
  const campaign = localizeCampaign(input, locale);
  const de = phraseLanguage(locale) === 'de';
  const money = (amountMinor: number): string => formatMoney({ amountMinor, currency: campaign.reward.currency }, formatLocale);
  const r = campaign.reward;
  const offer = campaign.offer;
  const friendGets =
    offer.amountMinor !== undefined ? `${formatMoney({ amountMinor: offer.amountMinor, currency: offer.currency }, formatLocale)} (${offer.description})` : offer.percentOff !== undefined ? `${offer.percentOff} % (${offer.description})` : offer.description;

  const tiers = r.tenureTiers.map((t) => {
    const range = t.maxYears === undefined ? (de ? `${yearsPhrase(t.minYears, locale)} und mehr` : `${yearsPhrase(t.minYears, locale)} or more`) : t.minYears === t.maxYears ? yearsPhrase(t.minYears, locale) : de ? `${t.minYears} bis ${yearsPhrase(t.maxYears, locale)}` : `${t.minYears} to ${yearsPhrase(t.maxYears, locale)}`;
    return de ? `${range} Kundschaft: ${money(t.amountMinor)} pro erfolgreicher Empfehlung` : `${range} as a customer: ${money(t.amountMinor)} per successful referral`;
  });
  const bonuses = r.referralTiers.map((t) =>
    de ? `${money(t.bonusMinor)} zusätzlich ab ${countPhrase(t.minReferrals, 'referral', locale)}` : `${money(t.bonusMinor)} extra from ${countPhrase(t.minReferrals, 'referral', locale)} on`,
  );

  const eligibility = de
    ? [
        `Empfehlen können Kundinnen und Kunden${brandName ? ` von ${brandName}` : ''}, die eine Einladung zu diesem Empfehlungsprogramm erhalten haben.`,
        'Empfohlen werden können Personen, die noch nicht Kundin oder Kunde sind. Eigene Empfehlungen (an sich selbst) zählen nicht.',
        'Wegwerf-E-Mail-Adressen und auffällige Häufungen werden geprüft und können ausgeschlossen werden.',
      ]
    : [
        `Customers${brandName ? ` of ${brandName}` : ''} who were invited to this referral program can refer friends.`,
        'Friends must be new customers. Referring yourself does not count.',
        'Disposable email addresses and unusual bursts of referrals are reviewed and may be excluded.',
      ];
  const rewards = de
    ? [`Ihre Freundin oder Ihr Freund erhält: ${friendGets}.`, ...tiers, ...bonuses, 'Die Prämie entsteht, wenn die empfohlene Person ihren ersten Kauf abschließt.']
    : [`Your friend gets: ${friendGets}.`, ...tiers, ...bonuses, 'A reward is earned when the referred friend completes their first purchase.'];
  const hold = de
    ? [`Prämien werden ${countPhrase(r.holdDays, 'day', locale)} nach dem Kauf freigegeben (Widerrufsfrist). Wird der Kauf erstattet, entfällt die Prämie.`]
    : [`Rewards are released ${countPhrase(r.holdDays, 'day', locale)} after the purchase (the refund window). If the purchase is refunded, the reward is cancelled.`];
  const capItems: string[] = [];
  const cap = r.perAdvocateCap;
  if (cap?.maxRewards !== undefined) capItems.push(de ? `Höchstens ${countPhrase(cap.maxRewards, 'reward', locale)} pro Person in ${countPhrase(cap.periodDays, 'dayDative', locale)}.` : `At most ${countPhrase(cap.maxRewards, 'reward', locale)} per person in ${countPhrase(cap.periodDays, 'day', locale)}.`);
  if (cap?.maxAmountMinor !== undefined) capItems.push(de ? `Höchstens ${money(cap.maxAmountMinor)} pro Person in ${countPhrase(cap.periodDays, 'dayDative', locale)}.` : `At most ${money(cap.maxAmountMinor)} per person in ${countPhrase(cap.periodDays, 'day', locale)}.`);
  capItems.push(de ? 'Das Programm kann enden, wenn sein Budget ausgeschöpft ist; bereits verdiente Prämien bleiben bestehen.' : 'The program may end when its budget is used up; rewards already earned are kept.');
  const windowDays = campaign.attribution.windowDays;
  const expiry = de
    ? [`Eine Empfehlung zählt, wenn sich die Person innerhalb von ${countPhrase(windowDays, 'dayDative', locale)} nach dem Klick auf den Empfehlungslink anmeldet.`]
    : [`A referral counts when your friend signs up within ${countPhrase(windowDays, 'day', locale)} of clicking your referral link.`];

  return {
    title: de ? 'Teilnahmebedingungen des Empfehlungsprogramms' : 'Referral program terms',
    intro: de ? 'So funktioniert das Empfehlen und diese Regeln gelten für beide Seiten.' : 'How referring works, and the rules for both sides.',
    sections: [
      { id: 'eligibility', heading: de ? 'Wer teilnehmen kann' : 'Who is eligible', items: eligibility },
      { id: 'rewards', heading: de ? 'Prämien und Bedingungen' : 'Rewards and conditions', items: rewards },
      { id: 'hold', heading: de ? 'Wartezeit' : 'Hold period', items: hold },
      { id: 'caps', heading: de ? 'Obergrenzen' : 'Caps', items: capItems },
      { id: 'expiry', heading: de ? 'Gültigkeit' : 'Expiry', items: expiry },
    ],
  };
}
