// Intl formatters are costly to construct (tens of microseconds each) and immutable once built: one per locale and
// options, shared. A run renders every ask with the same few, so the cache stays small; it is bounded all the same.
// Pure: no I/O.

const LIMIT = 256;

function memo<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let hit = cache.get(key);
  if (hit === undefined) {
    hit = make();
    if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, hit);
  }
  return hit;
}

const numbers = new Map<string, Intl.NumberFormat>();
const dates = new Map<string, Intl.DateTimeFormat>();
const plurals = new Map<string, Intl.PluralRules>();

/** `new Intl.NumberFormat(locale, options)`, built once per (locale, options). Throws as the constructor does. */
export function numberFormat(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return memo(numbers, `${locale}\n${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options));
}

/** `new Intl.DateTimeFormat(locale, options)`, built once per (locale, options). Throws as the constructor does. */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat {
  return memo(dates, `${locale}\n${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));
}

/** `new Intl.PluralRules(locale, options)`, built once per (locale, options). Throws as the constructor does. */
export function pluralRules(locale: string, options: Intl.PluralRulesOptions = {}): Intl.PluralRules {
  return memo(plurals, `${locale}\n${JSON.stringify(options)}`, () => new Intl.PluralRules(locale, options));
}
