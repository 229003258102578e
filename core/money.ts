// Money for people, one formatter for every surface (CLI, pages, messages, the report): amounts are integer minor
// units plus an ISO 4217 currency; the number of minor digits is the currency's own (EUR 2, JPY 0, KWD 3), from
// Intl.NumberFormat, never a fixed "/ 100". Amounts in different currencies are never added together: totals are per
// currency and shown side by side ("€30 + $10").
import { numberFormat } from './intl-cache.js';

/** An amount in the currency's minor units (cents, yen, fils). */
export interface Money {
  amountMinor: number;
  currency: string;
}

export interface FormatMoneyOptions {
  /**
   * 'auto' (default): no decimals for whole amounts ("€25", "¥3,000"), the currency's digits otherwise ("€12.50").
   * 'always': always the currency's digits ("€25.00", "¥3,000", "KWD 1.250"), for tables and reports.
   */
  fraction?: 'auto' | 'always';
}

const digitCache = new Map<string, number>();

/** The currency's minor digits (EUR 2, JPY 0, KWD 3). Throws RangeError for a code Intl does not accept. */
export function minorDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    digitCache.set(code, digits);
  }
  return digits;
}

/** The amount in major units as a number (JPY 3000 -> 3000, EUR 1250 -> 12.5): for JSON and charts, not for sums. */
export function toMajor(money: Money): number {
  return money.amountMinor / 10 ** minorDigits(money.currency);
}

const safeLocales = new Map<string, string>();

function safeLocale(locale: string | undefined): string {
  if (!locale) return 'en';
  let tag = safeLocales.get(locale);
  if (tag === undefined) {
    try {
      tag = Intl.getCanonicalLocales(locale.replace('_', '-'))[0] ?? 'en';
    } catch {
      tag = 'en';
    }
    if (safeLocales.size < 1000) safeLocales.set(locale, tag);
  }
  return tag;
}

/**
 * `money` in `locale` (BCP 47; an invalid one falls back to English): "€25", "€12.50", "¥3,000", "25 €" (de).
 * Throws RangeError for an unknown currency code.
 */
export function formatMoney(money: Money, locale = 'en', options: FormatMoneyOptions = {}): string {
  const digits = minorDigits(money.currency);
  const whole = money.amountMinor % 10 ** digits === 0;
  const shown = options.fraction === 'always' || !whole ? digits : 0;
  return numberFormat(safeLocale(locale), {
    style: 'currency',
    currency: money.currency.toUpperCase(),
    minimumFractionDigits: shown,
    maximumFractionDigits: shown,
  }).format(toMajor(money));
}

/** Totals per currency, in first-seen order; amounts of different currencies are never added. */
export function sumByCurrency(amounts: Iterable<Money>): Money[] {
  const sums = new Map<string, number>();
  for (const m of amounts) {
    const code = m.currency.toUpperCase();
    sums.set(code, (sums.get(code) ?? 0) + m.amountMinor);
  }
  return [...sums].map(([currency, amountMinor]) => ({ amountMinor, currency }));
}

/** "€30 + $10": each currency's total formatted, joined; '' for no amounts. */
export function formatTotals(amounts: Iterable<Money>, locale = 'en', options: FormatMoneyOptions = {}): string {
  return sumByCurrency(amounts)
    .map((m) => formatMoney(m, locale, options))
    .join(' + ');
}
