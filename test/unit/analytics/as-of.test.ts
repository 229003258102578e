// The report's as-of date: cohorts are observed up to --to, never past the last day of data.
import { describe, expect, it } from 'vitest';
import { reportAsOf } from '../../../core/analytics/report.js';

describe('reportAsOf', () => {
  it('is the last day of data without --to, and 1970-01-01 without data', () => {
    expect(reportAsOf(undefined, '2026-11-30')).toBe('2026-11-30');
    expect(reportAsOf(undefined, undefined)).toBe('1970-01-01');
  });
  it('is --to when it is on or before the last day of data, else that last day', () => {
    expect(reportAsOf('2026-11-01', '2026-11-30')).toBe('2026-11-01');
    expect(reportAsOf('2026-11-30', '2026-11-30')).toBe('2026-11-30');
    expect(reportAsOf('2027-12-31', '2026-11-30')).toBe('2026-11-30');
    expect(reportAsOf('2026-11-01', undefined)).toBe('2026-11-01');
  });
});
