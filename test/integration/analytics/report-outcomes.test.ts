// `asks report` on small hand-made logs: an ask's final outcome (a deferred ask that a later run sent, skipped or
// failed is no longer "deferred"), and which groups `--by` shows. Every expectation is counted by hand from the lines.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('asks report --by', () => {
  const file = () =>
    logOf([
      sent('a~m', '2026-11-02', 'warm-thanks', 'email'),
      sent('b~m', '2026-11-02', 'tenure-pride', 'sms'),
      ask('held_out', 'h1~m', '2026-11-02'),
      ask('held_out', 'h2~m', '2026-11-02'),
      ask('skipped', 'k1~m', '2026-11-02', { reason: 'cooldown' }),
      ask('failed', 'f1~m', '2026-11-02', { channel: 'in_app', variantId: 'peer-intro', error: 'no app' }),
    ]);

  it('leaves out groups of only held-out or skipped asks ("(holdout)", "(none)") but keeps a group with data', async () => {
    const log = file();
    const rows = (r: { funnel: { groups: Array<{ group: string; counts: Record<string, number> }> } }) => r.funnel.groups.map((g) => [g.group, g.counts.asked, g.counts.failed]);
    // Variants: warm-thanks 1 asked, tenure-pride 1 asked, peer-intro only a failed ask (kept: it carries data).
    expect(rows(await reportOf(log, '--by', 'variant'))).toEqual([[`${C}/peer-intro`, 0, 1], [`${C}/tenure-pride`, 1, 0], [`${C}/warm-thanks`, 1, 0]]);
    expect(rows(await reportOf(log, '--by', 'channel'))).toEqual([['email', 1, 0], ['in_app', 0, 1], ['sms', 1, 0]]);
    // The held-out and skipped asks are still in the total.
    expect((await reportOf(log)).funnel.total.counts).toMatchObject({ asked: 2, held_out: 2, skipped: 1, failed: 1 });
  });

  it('says what a group of asks not sent holds: a "(none)" channel of a deferred ask shows it under "not sent"', async () => {
    // One email ask sent; one ask still deferred (no channel yet): the (none) group is 0 asked, 1 not sent.
    const log = logOf([sent('a~m', '2026-11-02', 'warm-thanks', 'email'), ask('deferred', 'd~m', '2026-11-02', { until: '2026-11-03T08:00:00Z' })]);
    const result = await run(['report', '--events', log, '--by', 'channel']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ group +asked +not sent +shared +clicks +signups +1st buys\n/);
    expect(result.stdout).toMatch(/\(none\) +0 +1 +0 +0 +0 +0\n/);
    expect(result.stdout).toMatch(/ email +1 +0 +0 +0 +0 +0\n/);
  });

  it('the HTML report says the same per group: a "Not sent" column, with what it holds', async () => {
    // The terminal got "not sent"; the HTML table kept showing the (none) group as a row of zeros.
    const log = logOf([sent('a~m', '2026-11-02', 'warm-thanks', 'email'), ask('deferred', 'd~m', '2026-11-02', { until: '2026-11-03T08:00:00Z' }), ask('failed', 'f~m', '2026-11-02', { channel: 'email', variantId: 'warm-thanks', error: 'bad address' })]);
    const html = join(log, '..', 'report.html');
    const result = await run(['report', '--events', log, '--by', 'channel', '--html', html]);
    expect(result.code, result.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<th scope="col">Group</th><th scope="col">Asked</th><th scope="col">Not sent</th>');
    expect(page).toContain('<tr><th scope="row">(none)</th><td>0</td><td>1 (deferred 1)</td><td>0</td>');
    expect(page).toContain('<tr><th scope="row">email</th><td>1</td><td>1 (failed 1)</td><td>0</td>');
    // The terminal's column is the same count.
    expect(result.stdout).toMatch(/\(none\) +0 +1 +0 +0 +0 +0\n/);
    expect(result.stdout).toMatch(/ email +1 +1 +0 +0 +0 +0\n/);
  });

  it('--html into a directory that does not exist: one line naming the option and the file, exit 1', async () => {
    const log = logOf([sent('a~m', '2026-11-02', 'warm-thanks', 'email')]);
    const target = join(log, '..', 'no-such-dir', 'report.html');
    const result = await run(['report', '--events', log, '--html', target]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: --html: cannot write ${target}: no such directory\n`);
  });

  it('prints no all-zero "(holdout)" or "(none)" row in the terminal', async () => {
    const result = await run(['report', '--events', file(), '--by', 'variant']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${C}/warm-thanks`);
    expect(result.stdout).not.toContain('(holdout)');
  });
});

describe('lines that are not events', () => {
  it('are counted with the first line number, with and without the cache, also in lines appended later', async () => {
    // Line 1 an ask, 2 not JSON, 3 blank (not counted), 4 JSON but no detail-type, 5 an ask.
    const file = logOf([sent('a~m', '2026-11-02'), 'garbage {', '', '{"a":1}', sent('b~m', '2026-11-02')]);
    for (const cache of [[], ['--no-cache'], []]) {
      const r = await reportOf(file, ...cache);
      expect(r.skippedLines).toEqual({ count: 2, firstLine: 2 });
      expect(r.funnel.total.counts.asked).toBe(2);
    }
    // Appended: line 6 an ask, line 7 torn.
    writeFileSync(file, `${sent('c~m', '2026-11-03')}\n{"detail-type":"referral.ask.sent.v1","deta\n`, { flag: 'a' });
    for (const cache of [[], ['--no-cache']]) {
      const r = await reportOf(file, ...cache);
      expect(r.skippedLines).toEqual({ count: 3, firstLine: 2 });
      expect(r.funnel.total.counts.asked).toBe(3);
    }
    const terminal = await run(['report', '--events', file]);
    expect(terminal.code).toBe(0);
    expect(terminal.stderr).toMatch(/^warning: skipped 3 lines of the event log .*the first is line 2\n$/);
    expect(terminal.stdout).not.toMatch(/skipped 3 lines/);
  });

  it('a clean log says nothing', async () => {
    const file = logOf([sent('a~m', '2026-11-02')]);
    const terminal = await run(['report', '--events', file]);
    expect(terminal.stderr).toBe('');
    expect((await reportOf(file)).skippedLines).toEqual({ count: 0, firstLine: null });
  });
});
