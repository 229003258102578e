// core/zoned-time.ts (on @date-fns/tz) against luxon: the same wall clocks, offsets, DST moves and calendar
// arithmetic over many instants and awkward zones; a wall time that occurs twice is always its first occurrence.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addDaysToIsoDate, fromWallTime, inZone, isoDate, isoMinute, isValidZone, parseIsoDate, plusDays, wholeYearsBetween, withWall } from '../../../core/zoned-time.js';

const ZONES = [
  'UTC', 'Europe/Berlin', 'Europe/London', 'Europe/Dublin', 'America/New_York', 'America/Los_Angeles', 'America/St_Johns', 'America/Sao_Paulo',
  'America/Santiago', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tokyo', 'Australia/Sydney', 'Australia/Lord_Howe', 'Australia/Adelaide',
  'Pacific/Chatham', 'Pacific/Apia', 'Pacific/Kiritimati', 'Africa/Casablanca', 'Asia/Tehran', 'America/Havana',
];

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(1995, 0, 1);
const END = Date.UTC(2038, 0, 1);

/** Random instants plus the instants around every DST transition of each zone in a few years. */
function instants(zone: string, n: number, seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push(Math.floor(START + r() * (END - START)));
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 3_600_000) {
    const a = DateTime.fromMillis(t, { zone }).offset;
    const b = DateTime.fromMillis(t + 3_600_000, { zone }).offset;
    if (a !== b) for (let d = -90; d <= 150; d += 15) out.push(t + d * 60_000);
  }
  return out;
}

/** luxon keeps the offset it started from when a wall time occurs twice; we always take the first occurrence. */
function firstOccurrence(t: DateTime): DateTime {
  for (const back of [30, 60, 120]) {
    const earlier = t.minus({ minutes: back });
    if (earlier.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") === t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")) return earlier;
  }
  return t;
}

describe('zoned time matches luxon', () => {
  it('wall clock and offset of an instant', () => {
    for (const zone of ZONES) {
      for (const ts of instants(zone, 120, zone.length)) {
        const ours = inZone(ts, zone)!;
        const theirs = DateTime.fromMillis(ts, { zone });
        expect({ y: ours.year, mo: ours.month, d: ours.day, h: ours.hour, mi: ours.minute, s: ours.second, ms: ours.millisecond, o: ours.offset }).toEqual({
          y: theirs.year, mo: theirs.month, d: theirs.day, h: theirs.hour, mi: theirs.minute, s: theirs.second, ms: theirs.millisecond, o: theirs.offset,
        });
        expect(isoDate(ours)).toBe(theirs.toFormat('yyyy-MM-dd'));
        expect(isoMinute(ours)).toBe(theirs.toFormat("yyyy-MM-dd'T'HH:mm"));
      }
    }
  });

  it('set a wall time and add days (DST gaps and repeats included)', () => {
    for (const zone of ZONES) {
      const r = rng(zone.length * 7);
      for (const ts of instants(zone, 60, zone.length + 1)) {
        const hour = Math.floor(r() * 24);
        const minute = [0, 15, 30, 45][Math.floor(r() * 4)]!;
        const ours = withWall(inZone(ts, zone)!, { hour, minute, second: 0, millisecond: 0 });
        const theirs = firstOccurrence(DateTime.fromMillis(ts, { zone }).set({ hour, minute, second: 0, millisecond: 0 }));
        expect([ours.ts, ours.offset]).toEqual([theirs.toMillis(), theirs.offset]);
        const days = 1 + Math.floor(r() * 3);
        expect(plusDays(ours, days).ts).toBe(firstOccurrence(theirs.plus({ days })).toMillis());
        expect(plusDays(inZone(ts, zone)!, days).ts).toBe(firstOccurrence(DateTime.fromMillis(ts, { zone }).plus({ days })).toMillis());
      }
    }
  });

  it('a local date and hour to an instant: unique wall times exactly, repeated ones at their first occurrence', () => {
    for (const zone of ZONES) {
      const r = rng(zone.length * 13);
      for (const ts of instants(zone, 60, zone.length + 2)) {
        const date = DateTime.fromMillis(ts, { zone }).toFormat('yyyy-MM-dd');
        const hour = Math.floor(r() * 24);
        const ours = fromWallTime({ ...parseIsoDate(date)!, hour }, zone)!;
        const iso = `${date}T${String(hour).padStart(2, '0')}:00`;
        const theirs = DateTime.fromISO(iso, { zone });
        // Instants whose wall clock is exactly this local time.
        const matching: number[] = [];
        for (let guess = theirs.toMillis() - 4 * 3_600_000; guess <= theirs.toMillis() + 4 * 3_600_000; guess += 15 * 60_000) {
          if (DateTime.fromMillis(guess, { zone }).toFormat("yyyy-MM-dd'T'HH:mm") === iso) matching.push(guess);
        }
        if (matching.length === 1) expect(ours.ts).toBe(matching[0]);
        else if (matching.length > 1) expect(ours.ts).toBe(Math.min(...matching));
        else expect(ours.ts).toBe(theirs.toMillis()); // skipped by DST: moved forward by the gap, as luxon does
      }
    }
  });

  it('unknown zones', () => {
    for (const zone of ['Mars/Olympus', 'Europe/Berlinn', '']) {
      expect(isValidZone(zone)).toBe(DateTime.now().setZone(zone).isValid);
      expect(inZone(0, zone)).toBeUndefined();
    }
    expect(isValidZone('Europe/Berlin')).toBe(true);
  });

  it('calendar days and whole years between dates (Feb 29 included)', () => {
    const r = rng(42);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const dates = ['2020-02-29', '2024-02-29', '2021-02-28', '2021-03-01', '2000-02-29', '1999-12-31', '2023-12-31'];
    for (let i = 0; i < 3000; i += 1) dates.push(day(Math.floor(Date.UTC(1970, 0, 1) + r() * (Date.UTC(2060, 0, 1) - Date.UTC(1970, 0, 1)))));
    for (let i = 0; i < dates.length; i += 1) {
      const a = dates[i]!;
      const b = dates[(i * 7 + 3) % dates.length]!;
      const luxonYears = Math.max(0, Math.floor(DateTime.fromISO(b, { zone: 'utc' }).diff(DateTime.fromISO(a, { zone: 'utc' }), 'years').years + 1e-9));
      expect(wholeYearsBetween(parseIsoDate(a)!, parseIsoDate(b)!)).toBe(luxonYears);
      const n = Math.floor(r() * 800) - 400;
      expect(addDaysToIsoDate(a, n)).toBe(DateTime.fromISO(a, { zone: 'utc' }).plus({ days: n }).toFormat('yyyy-MM-dd'));
    }
    for (const [a, b] of [['2020-02-29', '2021-02-28'], ['2020-02-29', '2021-02-27'], ['2020-02-29', '2024-02-29'], ['2020-02-29', '2024-02-28']] as const) {
      expect(wholeYearsBetween(parseIsoDate(a)!, parseIsoDate(b)!)).toBe(Math.floor(DateTime.fromISO(b, { zone: 'utc' }).diff(DateTime.fromISO(a, { zone: 'utc' }), 'years').years + 1e-9));
    }
    expect(parseIsoDate('2021-02-29')).toBeUndefined();
  });
});
