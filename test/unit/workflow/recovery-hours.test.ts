// Which hours of the lookback window a run owes because no run planned them (core/workflow/recovery.ts).
import { describe, expect, it } from 'vitest';
import { hoursBack, missedHours } from '../../../core/workflow/recovery.js';

describe('missedHours', () => {
  const window = hoursBack('2026-07-01T10:00:00Z', 4); // 06 .. 10

  it('owes the unplanned hours after the first planned one, not the current hour', () => {
    expect(window).toEqual(['2026-07-01T06', '2026-07-01T07', '2026-07-01T08', '2026-07-01T09', '2026-07-01T10']);
    expect(missedHours(window, ['2026-07-01T07', '2026-07-01T09', '2026-07-01T10'], '2026-07-01T10')).toEqual(['2026-07-01T08']);
  });

  it('owes nothing before the first planned hour (a first run, or an outage longer than the window)', () => {
    expect(missedHours(window, ['2026-07-01T10'], '2026-07-01T10')).toEqual([]);
    expect(missedHours(window, [], '2026-07-01T10')).toEqual([]);
  });
});
