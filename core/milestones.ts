// Milestones: which customers celebrate what on a given local date, and which zones are at the send hour now.
// Everything is computed in the customer's own IANA zone (core/zoned-time.ts), so DST days and Feb 29 come out right.
import type { Customer } from './schemas/customer.js';
import type { DateMilestoneKind, MilestoneTrigger } from './schemas/campaign.js';
import type { MilestoneOccurrence } from './schemas/ask.js';
import { DATE_FIELD_BY_KIND, monthDaysToRead } from './due-keys.js';
import { ValidationError } from './errors.js';
import { inZone as zonedAt, invalidZoneExplanation, isoDate, isoMinute, type ZonedTime } from './zoned-time.js';

// One threshold implementation for the whole project: the activity handler already uses core/thresholds.ts.
export { crossedThresholds, thresholdOccurrenceId, type CounterSnapshot, type CrossedThreshold } from './thresholds.js';

export type DateTrigger = Extract<MilestoneTrigger, { kind: DateMilestoneKind }>;

function inZone(at: Date, zone: string): ZonedTime {
  const dt = zonedAt(at, zone);
  if (!dt) throw new ValidationError(`timezone "${zone}" is not a known IANA zone (${invalidZoneExplanation(zone)})`);
  return dt;
}

/** The customer's calendar date (YYYY-MM-DD) at instant `at` in `zone`. */
export function localDateIn(at: Date, zone: string): string {
  return isoDate(inZone(at, zone));
}

/** The local hour (0-23) at instant `at` in `zone`. */
export function localHourIn(at: Date, zone: string): number {
  return inZone(at, zone).hour;
}

/**
 * Zones whose local time reached `hour`:00 within the hour ending at `at`, with their local date.
 * Runs fire hourly, so a zone qualifies when the local time at `at` is at or past `hour`:00 of its local day
 * and one hour earlier it was not. That picks each zone exactly once per local day, also when DST skips the hour
 * (spring forward: the first run after the gap) or repeats it (fall back: only the first pass), and for
 * half-hour zones (India at 10:30 for hour 10).
 */
export function zonesAtLocalHour(zones: readonly string[], at: Date, hour: number): Array<{ zone: string; localDate: string }> {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new ValidationError(`hour must be an integer from 0 to 23, got ${hour}`);
  const before = new Date(at.getTime() - 3_600_000);
  const out: Array<{ zone: string; localDate: string }> = [];
  for (const zone of zones) {
    const now = inZone(at, zone);
    const target = `${isoDate(now)}T${String(hour).padStart(2, '0')}:00`;
    const nowKey = isoMinute(now);
    const prevKey = isoMinute(inZone(before, zone));
    if (nowKey >= target && prevKey < target) out.push({ zone, localDate: isoDate(now) });
  }
  return out;
}

/** Month-days ('MM-DD') to read for a local date: Feb 28 of a non-leap year also reads the Feb 29 customers. */
export function dueMonthDays(localDate: string): string[] {
  return monthDaysToRead(localDate);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parseDate(date: string, field: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new ValidationError(`${field} must be a date YYYY-MM-DD, got "${date}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The month-day an origin date is celebrated on in `year`: Feb 29 moves to Feb 28 outside leap years. */
function anniversaryIn(year: number, month: number, day: number): [number, number] {
  return month === 2 && day === 29 && !isLeapYear(year) ? [2, 28] : [month, day];
}

/** Whole years from `origin` to `on` (negative before the origin); a Feb 29 origin turns a year older on Feb 28. */
function signedYears(origin: string, on: string): number {
  const [oy, om, od] = parseDate(origin, 'origin date');
  const [y, m, d] = parseDate(on, 'date');
  const [am, ad] = anniversaryIn(y, om, od);
  const reached = m > am || (m === am && d >= ad);
  return y - oy - (reached ? 0 : 1);
}

/** Whole years of tenure from `signupDate` to `onDate` (0 before the first anniversary or before signup). */
export function tenureYears(signupDate: string, onDate: string): number {
  return Math.max(0, signedYears(signupDate, onDate));
}

/**
 * The date milestone `customer` celebrates on `localDate`, or null. The anniversary of the customer's date for the
 * trigger's kind must fall on `localDate` (a Feb 29 date is celebrated on Feb 28 in non-leap years) and the years
 * since it (the age, for birthdays) must lie within the trigger's minYears..maxYears.
 */
export function dateMilestoneOn(customer: Customer, trigger: DateTrigger, localDate: string): MilestoneOccurrence | null {
  const origin = customer[DATE_FIELD_BY_KIND[trigger.kind]];
  if (typeof origin !== 'string') return null;
  const [, om, od] = parseDate(origin, DATE_FIELD_BY_KIND[trigger.kind]);
  const [y, m, d] = parseDate(localDate, 'localDate');
  const [am, ad] = anniversaryIn(y, om, od);
  if (m !== am || d !== ad) return null;
  const years = signedYears(origin, localDate);
  if (years < 0 || years < trigger.minYears) return null;
  if (trigger.maxYears !== undefined && years > trigger.maxYears) return null;
  return { kind: trigger.kind, occurrenceId: `${trigger.kind}#${localDate.slice(0, 4)}`, occurredOn: localDate, years };
}
