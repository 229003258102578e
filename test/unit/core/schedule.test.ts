// The campaign schedule as EventBridge Scheduler fires it (cron + IANA zone), replayed by `asks run --from --to`.
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

  it('refuses what it cannot replay', () => {
    expect(() => parseCron('0 10 L * ? *')).toThrow(/L, W or #/);
    expect(() => parseCron('0 10 * *')).toThrow(/6 fields/);
    expect(() => parseCron('0 25 * * ? *')).toThrow(/0-23/);
  });
});
