// Wall-clock time in IANA zones with the built-in Intl API: the few operations the project needs, with luxon's rules
// (which the project used before; luxon is ~70 KB of every Lambda bundle and cannot be tree-shaken).
//   - An instant's wall clock in a zone: Intl.DateTimeFormat parts (as luxon's IANAZone does).
//   - A wall time to an instant: luxon's fixOffset from a provisional offset. A wall time that DST skips moves forward
//     by the gap (02:30 on a spring-forward day is 03:30); one that occurs twice resolves against the provisional
//     offset, which for a fresh wall time is the zone's offset before the transition, i.e. the first occurrence.
//   - Calendar arithmetic (plus days, whole years) on wall dates, clamping Feb 29 to Feb 28 as luxon does.

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

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(zone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f ?? undefined;
}

/** Whether Intl knows the zone (what luxon's IANAZone.isValidZone checks). */
export function isValidZone(zone: string): boolean {
  return formatter(zone) !== undefined;
}

/** The error text luxon gave for an unknown zone (DateTime#invalidExplanation). */
export function invalidZoneExplanation(zone: string): string {
  return `the zone "${zone}" is not supported`;
}

/** Epoch ms of a wall time read as UTC (luxon's objToLocalTS; years 0-99 kept literal). */
function wallToUtcMs(w: WallTime): number {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond));
  if (w.year < 100 && w.year >= 0) d.setUTCFullYear(w.year, w.month - 1, w.day);
  return d.getTime();
}

function utcMsToWall(ms: number): WallTime {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), millisecond: d.getUTCMilliseconds() };
}

/** The zone's offset from UTC in minutes at instant `ts` (luxon's IANAZone#offset). */
function offsetAt(f: Intl.DateTimeFormat, ts: number): number {
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ts))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = wallToUtcMs({ year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour === 24 ? 0 : parts.hour!, minute: parts.minute!, second: parts.second!, millisecond: 0 });
  const over = ts % 1000;
  return (asUtc - (ts - (over >= 0 ? over : 1000 + over))) / MINUTE_MS;
}

/** luxon's fixOffset: the instant of local wall time `localTs` (ms, read as UTC) from a provisional offset. */
function fixOffset(f: Intl.DateTimeFormat, localTs: number, provisional: number): [number, number] {
  let utcGuess = localTs - provisional * MINUTE_MS;
  const o2 = offsetAt(f, utcGuess);
  if (provisional === o2) return [utcGuess, provisional];
  utcGuess -= (o2 - provisional) * MINUTE_MS;
  const o3 = offsetAt(f, utcGuess);
  if (o2 === o3) return [utcGuess, o2];
  return [localTs - Math.min(o2, o3) * MINUTE_MS, Math.max(o2, o3)];
}

function zoned(zone: string, ts: number, offset: number): ZonedTime {
  return { zone, ts, offset, ...utcMsToWall(ts + offset * MINUTE_MS) };
}

function mustFormatter(zone: string): Intl.DateTimeFormat {
  const f = formatter(zone);
  if (!f) throw new RangeError(invalidZoneExplanation(zone));
  return f;
}

/** Instant `at` in `zone`; undefined when the zone is unknown. */
export function inZone(at: Date | number, zone: string): ZonedTime | undefined {
  const f = formatter(zone);
  if (!f) return undefined;
  const ts = typeof at === 'number' ? at : at.getTime();
  return zoned(zone, ts, offsetAt(f, ts));
}

/**
 * The instant of a wall time in `zone` (undefined when the zone is unknown). Without `provisional`, the offset in
 * force a day before that wall time, or a day after when larger: a repeated wall time resolves to its first occurrence.
 */
export function fromWallTime(wall: Partial<WallTime> & Pick<WallTime, 'year' | 'month' | 'day'>, zone: string, provisional?: number): ZonedTime | undefined {
  const f = formatter(zone);
  if (!f) return undefined;
  const localTs = wallToUtcMs({ hour: 0, minute: 0, second: 0, millisecond: 0, ...wall });
  const guess = provisional ?? Math.max(offsetAt(f, localTs - DAY_MS), offsetAt(f, localTs + DAY_MS));
  const [ts, offset] = fixOffset(f, localTs, guess);
  return zoned(zone, ts, offset);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `t` with some wall-clock fields replaced (luxon's DateTime#set), resolved from t's own offset. */
export function withWall(t: ZonedTime, fields: Partial<WallTime>): ZonedTime {
  const f = mustFormatter(t.zone);
  const [ts, offset] = fixOffset(f, wallToUtcMs({ ...t, ...fields }), t.offset);
  return zoned(t.zone, ts, offset);
}

/** `t` plus whole calendar days, same wall time (luxon's DateTime#plus({ days })), resolved from t's own offset. */
export function plusDays(t: ZonedTime, days: number): ZonedTime {
  const f = mustFormatter(t.zone);
  const [ts, offset] = fixOffset(f, wallToUtcMs({ ...t, day: Math.min(t.day, daysInMonth(t.year, t.month)) + days }), t.offset);
  return zoned(t.zone, ts, offset);
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
