// `asks report` on small hand-made logs: an ask's final outcome (a deferred ask that a later run sent, skipped or
// failed is no longer "deferred"), and which groups `--by` shows. Every expectation is counted by hand from the lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';

const C = 'signup-anniversary';
const line = (name: string, detail: Record<string, unknown>) => JSON.stringify({ source: 'milestone-referral-asks', 'detail-type': `${name}.v1`, detail: { version: 1, ...detail } });
const dims = (day: string) => ({ campaignId: C, milestoneKind: 'signup_anniversary', milestoneOn: '2026-11-02', runDate: day, tenureTier: 'tier1', cohortMonth: '2024-03' });
const ask = (name: string, id: string, day: string, extra: Record<string, unknown> = {}) => line(`referral.ask.${name}`, { occurredAt: `${day}T10:00:00Z`, askId: id, customerId: id.split('~')[0], ...dims(day), ...extra });
const sent = (id: string, day: string, variantId = 'warm-thanks', channel = 'email') => ask('sent', id, day, { variantId, channel, referralCode: `code-${id}` });

function logOf(lines: string[], tail = '\n'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'report-outcomes-')), 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}${tail}`);
  return file;
}

async function reportOf(file: string, ...args: string[]) {
  const result = await run(['report', '--events', file, '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('an ask counts as its final outcome', () => {
  it('a deferred ask later sent, skipped or failed is not deferred; one still waiting is', async () => {
    const file = logOf([
      ask('deferred', 'a~m', '2026-11-02', { until: '2026-11-03T08:00:00Z' }),
      sent('a~m', '2026-11-03'),
      ask('deferred', 'b~m', '2026-11-02', { until: '2026-11-03T08:00:00Z' }),
      ask('skipped', 'b~m', '2026-11-03', { reason: 'cooldown' }),
      ask('deferred', 'c~m', '2026-11-02', { until: '2026-11-03T08:00:00Z' }),
      ask('failed', 'c~m', '2026-11-03', { channel: 'email', variantId: 'warm-thanks', error: 'bad address' }),
      ask('deferred', 'd~m', '2026-11-02', { until: '2026-11-03T08:00:00Z' }),
      ask('deferred', 'd~m', '2026-11-03', { until: '2026-11-04T08:00:00Z' }),
    ]);
    for (const cache of [[], ['--no-cache']]) {
      const r = await reportOf(file, ...cache);
      expect(r.funnel.total.counts).toMatchObject({ asked: 1, skipped: 1, failed: 1, deferred: 1, held_out: 0 });
    }
    // Grouped by run week: the ask deferred on Monday 11-02 and sent on 11-03 is in week 2026-11-02 once, as sent.
    const byWeek = await reportOf(file, '--by', 'week');
    expect(byWeek.funnel.groups.map((g: { group: string; counts: Record<string, number> }) => [g.group, g.counts.asked, g.counts.deferred])).toEqual([['2026-11-02', 1, 1]]);
  });
});
