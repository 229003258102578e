// Wall-clock time in IANA zones: the few operations the project needs, on @date-fns/tz (TZDate: a Date whose
// getters and setters work in a named zone, offsets from the built-in Intl API). Small and tree-shakeable, unlike
// luxon (~70 KB of every Lambda bundle), with the same rules, which test/unit/core/zoned-time.test.ts checks against
// luxon across DST changes in 21 zones:
//   - A wall time that DST skips moves forward by the gap (02:30 on a spring-forward day is 03:30); one that occurs
//     twice resolves to its first occurrence.
//   - Calendar arithmetic (plus days, whole years) on wall dates, clamping Feb 29 to Feb 28.
import { TZDate } from '@date-fns/tz';
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** An instant with its wall clock in a zone (like a luxon DateTime): `ts` epoch ms, `offset` minutes east of UTC. */
export interface ZonedTime extends WallTime {
  zone: string;
  ts: number;
  offset: number;
}

const DAY_MS = 86_400_000;
const validity = new Map<string, boolean>();

/** Whether the runtime's time zone database knows the zone. */
export function isValidZone(zone: string): boolean {
  let ok = validity.get(zone);
  if (ok === undefined) {
    try {
      ok = zone !== '' && Boolean(new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone);
    } catch {
      ok = false;
    }
    validity.set(zone, ok);
  }
  return ok;
}

/** What is wrong with an unknown zone, for error messages. */
export function invalidZoneExplanation(zone: string): string {
  return `the zone "${zone}" is not supported`;
}

function utcMsToWall(ms: number): WallTime {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), millisecond: d.getUTCMilliseconds() };
}

function zoned(d: TZDate, zone: string): ZonedTime {
  return {
    zone,
    ts: d.getTime(),
    offset: -d.getTimezoneOffset(),
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    millisecond: d.getMilliseconds(),
  };
}

function mustBeValid(zone: string): void {
  if (!isValidZone(zone)) throw new RangeError(invalidZoneExplanation(zone));
}

/** Instant `at` in `zone`; undefined when the zone is unknown. */
export function inZone(at: Date | number, zone: string): ZonedTime | undefined {
  if (!isValidZone(zone)) return undefined;
  return zoned(new TZDate(typeof at === 'number' ? at : at.getTime(), zone), zone);
}

const sameWall = (a: WallTime, b: WallTime) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second && a.millisecond === b.millisecond;

/**
 * A wall time in a (valid) zone. TZDate moves a skipped wall time forward by the gap and resolves a repeated one to
 * its later occurrence; we take the first occurrence (the earlier instant, as the JavaScript Date does).
 */
function resolveWall(w: WallTime, zone: string): ZonedTime {
  const resolved = zoned(new TZDate(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond, zone), zone);
  const offsetBefore = -new TZDate(resolved.ts - DAY_MS, zone).getTimezoneOffset();
  if (offsetBefore > resolved.offset) {
    const earlier = zoned(new TZDate(resolved.ts - (offsetBefore - resolved.offset) * 60_000, zone), zone);
    if (sameWall(earlier, resolved)) return earlier;
  }
  return resolved;
}

/** The instant of a wall time in `zone` (undefined when the zone is unknown); a repeated wall time resolves to its first occurrence. */
export function fromWallTime(wall: Partial<WallTime> & Pick<WallTime, 'year' | 'month' | 'day'>, zone: string): ZonedTime | undefined {
  if (!isValidZone(zone)) return undefined;
  return resolveWall({ hour: 0, minute: 0, second: 0, millisecond: 0, ...wall }, zone);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `t` with some wall-clock fields replaced (a skipped result moves forward by the gap, a repeated one is the first). */
export function withWall(t: ZonedTime, fields: Partial<WallTime>): ZonedTime {
  mustBeValid(t.zone);
  const { zone, ts: _ts, offset: _offset, ...wall } = t;
  return resolveWall({ ...wall, ...fields }, zone);
}

/** `t` plus whole calendar days at the same wall time. */
export function plusDays(t: ZonedTime, days: number): ZonedTime {
  mustBeValid(t.zone);
  const day = new TZDate(t.year, t.month - 1, t.day + days, 12, 0, 0, 0, t.zone);
  return resolveWall({ ...t, year: day.getFullYear(), month: day.getMonth() + 1, day: day.getDate() }, t.zone);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "yyyy-MM-dd" of a wall time. */
export function isoDate(w: Pick<WallTime, 'year' | 'month' | 'day'>): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** "yyyy-MM-dd'T'HH:mm" of a wall time. */
export function isoMinute(w: WallTime): string {
  return `${isoDate(w)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** Parse "YYYY-MM-DD" (undefined when it is not a real date). */
export function parseIsoDate(date: string): Pick<WallTime, 'year' | 'month' | 'day'> | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** A "YYYY-MM-DD" calendar date plus (or minus) whole days. */
export function addDaysToIsoDate(date: string, days: number): string {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not a date YYYY-MM-DD: "${date}"`);
  return isoDate(utcMsToWall(Date.UTC(d.year, d.month - 1, d.day) + days * DAY_MS));
}

/**
 * Whole years from one calendar date to a later one (0 when `to` is earlier): the anniversaries passed, a Feb 29
 * anniversary falling on Feb 28 in common years (luxon's diff in years, floored).
 */
export function wholeYearsBetween(from: Pick<WallTime, 'year' | 'month' | 'day'>, to: Pick<WallTime, 'year' | 'month' | 'day'>): number {
  const key = (y: number, m: number, d: number) => y * 10_000 + m * 100 + d;
  const toKey = key(to.year, to.month, to.day);
  if (toKey < key(from.year, from.month, from.day)) return 0;
  let years = to.year - from.year;
  const anniversary = (n: number) => key(from.year + n, from.month, Math.min(from.day, daysInMonth(from.year + n, from.month)));
  while (years > 0 && anniversary(years) > toKey) years -= 1;
  return years;
}
