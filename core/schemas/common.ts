// Shared building blocks for every zod schema: the one source of truth for ids, money, dates and zones.
import * as z from 'zod';

/** Lower-case slug used for campaign and variant ids (safe in keys, URLs and execution names). */
export const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a lower-case slug: a-z, 0-9 and "-", 2 to 63 characters');

/** ISO 4217 currency code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "EUR"');

/** Money is always integer minor units (cents) plus a currency. */
export const MinorUnits = z.number().int('must be whole minor units (cents)').nonnegative();

export const Money = z.object({
  amountMinor: MinorUnits,
  currency: Currency,
});
export type Money = z.infer<typeof Money>;

const zoneValidity = new Map<string, boolean>();

/** Checked once per zone name (every customer parse checks its zone; building a DateTimeFormat is costly). */
function isIanaZone(zone: string): boolean {
  let ok = zoneValidity.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = zone.includes('/') || zone === 'UTC';
    } catch {
      ok = false;
    }
    if (zoneValidity.size < 1000) zoneValidity.set(zone, ok);
  }
  return ok;
}

/** An IANA timezone name such as "Europe/Berlin" (people's times are always kept with their zone). */
export const IanaZone = z.string().refine(isIanaZone, { message: 'unknown IANA timezone' });

/** A calendar date, YYYY-MM-DD, validated as a real date (Feb 29 only in leap years). */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }, 'is not a real calendar date');

/** An instant, ISO-8601 in UTC with a trailing Z. */
export const UtcInstant = z.iso.datetime({ offset: false });

/** Local wall-clock time HH:MM. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');

export const Channel = z.enum(['email', 'sms', 'in_app', 'account_manager']);
export type Channel = z.infer<typeof Channel>;

/** Channels a customer gives consent for (the account manager channel needs no consent: a person asks). */
export const ConsentChannel = z.enum(['email', 'sms', 'in_app']);
export type ConsentChannel = z.infer<typeof ConsentChannel>;
