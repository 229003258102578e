// The campaign schedule as EventBridge Scheduler fires it (cron + IANA zone), replayed by `asks run --from --to`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCron, scheduledFires, scheduleExpression } from '../../../core/schedule.js';

const at = (iso: string) => new Date(iso);

describe('scheduleExpression', () => {
  it('gives the expression infra deploys', () => {
    expect(scheduleExpression({ cron: '0 * * * ? *' })).toBe('cron(0 * * * ? *)');
    expect(scheduleExpression({ rate: '1 hour' })).toBe('rate(1 hour)');
  });
});

describe('scheduledFires', () => {
  it('fires an hourly cron once per hour in a half-open window', () => {
    // Act
    const fires = scheduledFires({ cron: '0 * * * ? *', timezone: 'UTC' }, at('2026-03-08T05:30:00Z'), at('2026-03-08T09:00:00Z'));

    // Assess
    expect(fires).toEqual(['2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z']);
  });

  it('reads a daily cron in the schedule zone, across the New York spring-forward day', () => {
    // Act: 09:30 New York every day; the offset moves from -5 to -4 on March 8.
    const fires = scheduledFires({ cron: '30 9 * * ? *', timezone: 'America/New_York' }, at('2026-03-07T00:00:00Z'), at('2026-03-10T00:00:00Z'));

    // Assess
    expect(fires).toEqual(['2026-03-07T14:30:00Z', '2026-03-08T13:30:00Z', '2026-03-09T13:30:00Z']);
  });

  it('skips a wall time that DST skips and honours weekdays, months and steps', () => {
    // Act
    const gap = scheduledFires({ cron: '30 2 * * ? *', timezone: 'America/New_York' }, at('2026-03-07T00:00:00Z'), at('2026-03-10T00:00:00Z'));
    const weekdays = scheduledFires({ cron: '0 10 ? * MON-FRI *', timezone: 'Europe/Berlin' }, at('2026-06-05T00:00:00Z'), at('2026-06-09T00:00:00Z'));
    const steps = scheduledFires({ cron: '*/20 8 1 JAN,JUN ? 2026', timezone: 'UTC' }, at('2026-06-01T00:00:00Z'), at('2026-06-02T00:00:00Z'));

    // Assess
    expect(gap).toEqual(['2026-03-07T07:30:00Z', '2026-03-09T06:30:00Z']);
    expect(weekdays).toEqual(['2026-06-05T08:00:00Z', '2026-06-08T08:00:00Z']);
    expect(steps).toEqual(['2026-06-01T08:00:00Z', '2026-06-01T08:20:00Z', '2026-06-01T08:40:00Z']);
  });

  it('fires a rate schedule every interval from the start of the window', () => {
    expect(scheduledFires({ rate: '2 hours', timezone: 'UTC' }, at('2026-01-01T00:00:00Z'), at('2026-01-01T05:00:00Z'))).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T04:00:00Z']);
  });

  it('fires a repeated fall-back wall time once, as EventBridge Scheduler does', () => {
    // Act: New York falls back on 2026-11-01 at 02:00 EDT; 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    const daily = scheduledFires({ cron: '30 1 * * ? *', timezone: 'America/New_York' }, at('2026-10-31T00:00:00Z'), at('2026-11-02T12:00:00Z'));
    const hourly = scheduledFires({ cron: '0 * * * ? *', timezone: 'America/New_York' }, at('2026-11-01T04:00:00Z'), at('2026-11-01T08:00:00Z'));

    // Assess
    expect(daily).toEqual(['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']);
    // 00:00 EDT, 01:00 EDT, (01:00 EST skipped), 02:00 EST.
    expect(hourly).toEqual(['2026-11-01T04:00:00Z', '2026-11-01T05:00:00Z', '2026-11-01T07:00:00Z']);
  });

  it('replays the L, W and # wildcards (dates checked against a calendar)', () => {
    const fires = (cron: string, from: string, to: string) => scheduledFires({ cron, timezone: 'UTC' }, at(from), at(to)).map((t) => t.slice(0, 10));
    // 2027-02-28 is a Sunday: L is the 28th, LW the Friday before it.
    expect(fires('0 10 L * ? *', '2027-02-01T00:00:00Z', '2027-03-02T00:00:00Z')).toEqual(['2027-02-28']);
    expect(fires('0 10 LW * ? *', '2027-02-01T00:00:00Z', '2027-03-02T00:00:00Z')).toEqual(['2027-02-26']);
    // 2026-08-15 is a Saturday (15W: Friday the 14th); 2026-08-01 too (1W: Monday the 3rd, never July).
    expect(fires('0 10 15W * ? *', '2026-08-01T00:00:00Z', '2026-09-01T00:00:00Z')).toEqual(['2026-08-14']);
    expect(fires('0 10 1W * ? *', '2026-07-25T00:00:00Z', '2026-08-10T00:00:00Z')).toEqual(['2026-08-03']);
    // The last Thursday of November 2026 is the 26th; the second Tuesday of December the 8th; L alone is Saturday.
    expect(fires('0 10 ? * 5L *', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual(['2026-11-26']);
    expect(fires('0 10 ? * TUE#2 *', '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual(['2026-12-08']);
    expect(fires('0 10 ? * L *', '2026-12-01T00:00:00Z', '2026-12-08T00:00:00Z')).toEqual(['2026-12-05']);
  });

  it('refuses what EventBridge does not accept', () => {
    expect(() => parseCron('0 10 L-3 * ? *')).toThrow(/day-of-month: "L-3"/);
    expect(() => parseCron('0 10 ? * 3#6 *')).toThrow(/day-of-week: "3#6"/);
    expect(() => parseCron('0 10 ? * 3W *')).toThrow(/day-of-week/);
    expect(() => parseCron('0 L * * ? *')).toThrow(/hours/);
    expect(() => parseCron('0 10 * *')).toThrow(/6 fields/);
    expect(() => parseCron('0 25 * * ? *')).toThrow(/0-23/);
  });
});

describe('scheduledFires against a brute-force oracle (fast-check)', () => {
  // The oracle: every minute of the window, its wall time read with Intl (not the code under test), matched field by
  // field; a wall time seen within the last three hours fires once (EventBridge's fall-back rule).
  const formats = new Map<string, Intl.DateTimeFormat>();
  const wallOf = (t: number, zone: string) => {
    if (!formats.has(zone)) formats.set(zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23', weekday: 'short' }));
    const parts = Object.fromEntries(
      formats
        .get(zone)!
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    return { y: Number(parts.year), mo: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), mi: Number(parts.minute), dow: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!) + 1 };
  };

  it('agrees minute for minute across DST changes in several zones', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'),
        fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        // Windows around the 2026 spring-forward and fall-back dates of the zones above.
        fc.constantFrom('2026-03-07T00:00:00Z', '2026-03-28T12:00:00Z', '2026-04-04T00:00:00Z', '2026-10-03T12:00:00Z', '2026-10-24T12:00:00Z', '2026-10-31T00:00:00Z'),
        fc.integer({ min: 0, max: 36 * 60 }),
        (zone, minutes, hours, dows, base, offsetMin) => {
          const from = Date.parse(base) + offsetMin * 60_000;
          const to = from + 2 * 86_400_000;
          const cron = `${minutes.join(',')} ${hours.join(',')} ? * ${dows.join(',')} *`;
          const expected: string[] = [];
          const seen = new Map<string, number>();
          for (let t = Math.ceil(from / 60_000) * 60_000; t < to; t += 60_000) {
            const w = wallOf(t, zone);
            if (!minutes.includes(w.mi) || !hours.includes(w.h) || !dows.includes(w.dow)) continue;
            const key = `${w.y}-${w.mo}-${w.d} ${w.h}:${w.mi}`;
            const before = seen.get(key);
            if (before !== undefined && t - before <= 3 * 3_600_000) continue;
            seen.set(key, t);
            expected.push(new Date(t).toISOString().replace('.000Z', 'Z'));
          }
          expect(scheduledFires({ cron, timezone: zone }, new Date(from), new Date(to))).toEqual(expected);
        },
      ),
      { numRuns: 25, seed: 20261130 },
    );
  });
});
