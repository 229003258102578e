// Which hours of the lookback window a run owes because no run planned them (core/workflow/recovery.ts).
import { describe, expect, it } from 'vitest';
import { dueAskSegment, dueAsksReadThrough, hoursBack, missedHours } from '../../../core/workflow/recovery.js';

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

describe('the due-asks segment and its cursor', () => {
  const run = { runId: 'c1#2026-07-03T10', campaignId: 'c1', at: '2026-07-03T10:00:00Z', mode: 'hour' as const, runDate: '2026-07-03' };

  it('reads from the cursor when it is older than the lookback, else the lookback', () => {
    expect(dueAskSegment(run, { lookbackHours: 24 }).partition).toBe('c1#2026-07-02T10..2026-07-03T10');
    expect(dueAskSegment(run, { lookbackHours: 24 }, '2026-06-30T22').partition).toBe('c1#2026-06-30T22..2026-07-03T10');
    expect(dueAskSegment(run, { lookbackHours: 24 }, '2026-07-03T09').partition).toBe('c1#2026-07-02T10..2026-07-03T10');
  });

  it('moves the cursor only when a batch read the due-asks segment to the end', () => {
    const segment = dueAskSegment(run, { lookbackHours: 2 });
    const other = { index: 'DueSignup', partition: '07-03#UTC#00', localDate: '2026-07-03' };
    const batch = { batchId: 'p0b0', segments: [other, segment], limit: 100 };
    expect(dueAsksReadThrough(batch, { continuation: [], failed: false })).toEqual({ campaignId: 'c1', hour: '2026-07-03T10' });
    expect(dueAsksReadThrough(batch, { continuation: [], failed: true })).toBeUndefined();
    expect(dueAsksReadThrough(batch, { continuation: [{ ...segment, startKey: { hour: '2026-07-03T09' } }], failed: false })).toBeUndefined();
    expect(dueAsksReadThrough({ ...batch, segments: [other] }, { continuation: [], failed: false })).toBeUndefined();
  });
});
