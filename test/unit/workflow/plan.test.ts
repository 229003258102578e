// Run planning: run ids, the segments a run reads, batching and folding results between Map rounds.
import { describe, expect, it } from 'vitest';
import { dayRunAt, initialState, nextPage, planBatches, planSegments, runFor, DEFAULT_PLAN } from '../../../core/workflow/plan.js';
import type { Segment } from '../../../core/schemas/workflow.js';
import { makeCampaign } from '../core/fixtures.js';

const partitions = ['Asia/Tokyo#00', 'Europe/Berlin#00', 'Europe/Berlin#01', 'America/New_York#00'];

describe('dayRunAt (the clock of a day-mode run)', () => {
  const berlin = { schedule: { cron: '0 10 * * ? *', timezone: 'Europe/Berlin', sendHour: 10 } } as const;
  it('is now for today, in UTC or in the campaign zone', () => {
    expect(dayRunAt(berlin, '2026-11-30', new Date('2026-11-30T15:04:05.678Z'))).toBe('2026-11-30T15:04:05Z');
    // 23:30 UTC is already the next day in Berlin: both dates are "today".
    expect(dayRunAt(berlin, '2026-12-01', new Date('2026-11-30T23:30:00Z'))).toBe('2026-11-30T23:30:00Z');
  });
  it('is the send hour in the campaign zone on any other day (winter +01:00, summer +02:00)', () => {
    expect(dayRunAt(berlin, '2026-12-05', new Date('2026-11-30T15:00:00Z'))).toBe('2026-12-05T09:00:00Z');
    expect(dayRunAt(berlin, '2026-06-09', new Date('2026-11-30T15:00:00Z'))).toBe('2026-06-09T08:00:00Z');
  });
  it('refuses a date that is not YYYY-MM-DD', () => {
    expect(() => dayRunAt(berlin, '2026-13-01', new Date('2026-11-30T15:00:00Z'))).toThrow(/runDate/);
  });
});

describe('runFor', () => {
  it('gives a day run a deterministic id without hour', () => {
    expect(runFor({ campaignId: 'c1', at: '2026-05-01T07:00:00Z', mode: 'day', runDate: '2026-05-02' }).runId).toBe('c1#2026-05-02');
  });
  it('gives an hour run the UTC date and hour', () => {
    expect(runFor({ campaignId: 'c1', at: '2026-05-01T07:00:00Z', mode: 'hour' }).runId).toBe('c1#2026-05-01T07');
  });
});

describe('planSegments', () => {
  it('reads every zone and shard in day mode', () => {
    const run = runFor({ campaignId: 'c', at: '2026-05-01T00:00:00Z', mode: 'day', runDate: '2026-05-01' });
    expect(planSegments(makeCampaign(), run, partitions).map((s) => s.partition).sort()).toEqual([
      '05-01#America/New_York#00',
      '05-01#Asia/Tokyo#00',
      '05-01#Europe/Berlin#00',
      '05-01#Europe/Berlin#01',
    ]);
  });
  it('reads only zones at the send hour in hour mode', () => {
    // 08:00Z is 10:00 in Berlin (CEST) on May 1.
    const run = runFor({ campaignId: 'c', at: '2026-05-01T08:00:00Z', mode: 'hour' });
    expect(planSegments(makeCampaign(), run, partitions).map((s) => s.partition)).toEqual(['05-01#Europe/Berlin#00', '05-01#Europe/Berlin#01']);
  });
  it('also reads Feb 29 customers on Feb 28 of a non-leap year', () => {
    const run = runFor({ campaignId: 'c', at: '2027-02-28T00:00:00Z', mode: 'day', runDate: '2027-02-28' });
    expect(planSegments(makeCampaign(), run, ['Asia/Tokyo#00']).map((s) => s.partition)).toEqual(['02-28#Asia/Tokyo#00', '02-29#Asia/Tokyo#00']);
  });
  it('reads pending days (with catch-up) for threshold campaigns', () => {
    const campaign = makeCampaign({ milestone: { kind: 'nth_purchase', thresholds: [10] } });
    const run = runFor({ campaignId: 'c', at: '2026-05-10T08:00:00Z', mode: 'hour' });
    const segments = planSegments(campaign, run, [], { catchUpDays: 2 });
    expect(segments.map((s) => `${s.index}:${s.partition}`)).toEqual(['PendingMilestones:2026-05-08', 'PendingMilestones:2026-05-09', 'PendingMilestones:2026-05-10']);
  });
});

const seg = (n: number): Segment => ({ index: 'DueSignup', partition: `05-01#Z#${String(n).padStart(2, '0')}`, localDate: '2026-05-01' });

describe('planBatches', () => {
  it('puts up to segmentsPerBatch segments in a batch', () => {
    const { batches } = planBatches(Array.from({ length: 20 }, (_, i) => seg(i)), 0, { ...DEFAULT_PLAN, segmentsPerBatch: 8 });
    expect(batches.map((b) => b.segments.length)).toEqual([8, 8, 4]);
  });
  it('leaves what exceeds maxBatchesPerRound pending', () => {
    const out = planBatches(Array.from({ length: 20 }, (_, i) => seg(i)), 0, { ...DEFAULT_PLAN, segmentsPerBatch: 4, maxBatchesPerRound: 2 });
    expect([out.batches.length, out.pending.length]).toEqual([2, 12]);
  });
});

describe('nextPage', () => {
  it('plans one batch per round for a serial run (a tight budget) and keeps it serial', () => {
    const run = runFor({ campaignId: 'c', at: '2026-05-01T00:00:00Z', mode: 'day', runDate: '2026-05-01' });
    const segments = [seg(1), seg(2), seg(3)];
    const parallel = nextPage(initialState(run, segments), { ...DEFAULT_PLAN, segmentsPerBatch: 1 });
    expect(parallel.batches).toHaveLength(3);
    const first = nextPage(initialState(run, segments, {}, true), { ...DEFAULT_PLAN, segmentsPerBatch: 1 });
    expect(first.batches.map((b) => b.segments)).toEqual([[seg(1)]]);
    expect(first.serial).toBe(true);
    // The unfinished first segment runs next, before the segments after it (the order `asks plan` reads them in).
    const resumed = { ...seg(1), startKey: { PK: 'C#x' } };
    const second = nextPage({ ...first, results: [{ batchId: 'p0b0', counts: {}, continuation: [resumed], failed: false }] }, { ...DEFAULT_PLAN, segmentsPerBatch: 1 });
    expect(second.batches.map((b) => b.segments)).toEqual([[resumed]]);
    expect(second.pending).toEqual([seg(2), seg(3)]);
    expect(second.serial).toBe(true);
  });
  it('is done at once when there is nothing to read', () => {
    const run = runFor({ campaignId: 'c', at: '2026-05-01T00:00:00Z', mode: 'day', runDate: '2026-05-01' });
    expect(nextPage(initialState(run, [])).done).toBe(true);
  });
  it('folds counts, counts failed batches and reads continuations first', () => {
    // Prepare
    const run = runFor({ campaignId: 'c', at: '2026-05-01T00:00:00Z', mode: 'day', runDate: '2026-05-01' });
    const state = { ...initialState(run, [seg(5)], { sent: 1 }), batches: [{ batchId: 'p0b0', segments: [seg(1)], limit: 100 }] };
    const resumed = { ...seg(1), startKey: { PK: 'C#x' } };
    // Act
    const next = nextPage({
      ...state,
      results: [
        { batchId: 'p0b0', counts: { sent: 2, 'skipped:cooldown': 1 }, continuation: [resumed], failed: false },
        { batchId: 'p0b1', counts: {}, continuation: [], failed: true },
      ],
    });
    // Assess
    expect(next.totals).toEqual({ sent: 3, 'skipped:cooldown': 1, batch_failed: 1 });
    expect(next.batches[0]!.segments[0]).toEqual(resumed);
    expect(next.page).toBe(1);
    expect(next.results).toEqual([]);
  });
});
