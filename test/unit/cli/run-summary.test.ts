// The summary `asks run` and `npm start` print: every counted outcome and reason appears, and the customer counts add
// up to the customers the run read.
import { describe, expect, it } from 'vitest';
import { funnelLines } from '../../../local/start.js';

describe('funnelLines', () => {
  it('shows the already-decided outcomes of a rerun (5 already held out of 68), adding up to 68', () => {
    const lines = funnelLines('signup-anniversary', { 'skipped:already_asked': 62, 'skipped:cooldown': 1, already_held_out: 5 });
    expect(lines[0]).toBe('  signup-anniversary: 68 counted: 0 asked, 0 held out, 63 skipped, 0 deferred, 0 failed, 5 already_held_out');
    expect(lines.slice(1)).toEqual([`      skipped ${'already_asked'.padEnd(22)} 62`, `      skipped ${'cooldown'.padEnd(22)} 1`]);
  });

  it('names every other outcome and the run-level counts apart from the customers', () => {
    const [head] = funnelLines('c', { sent: 3, held_out: 1, deferred: 2, failed: 1, in_flight: 2, not_due: 4, settled_elsewhere: 1, reservation_expired: 1, already_failed: 1, batch_failed: 1 });
    expect(head).toBe('  c: 16 counted: 3 asked, 1 held out, 0 skipped, 2 deferred, 1 failed, 4 not_due, 2 in_flight, 1 already_failed, 1 reservation_expired, 1 settled_elsewhere; 1 batches failed');
  });
});
