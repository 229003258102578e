// The report cache (adapters/analytics/event-cache.ts): a cached report equals a report that parses the whole log,
// after appends it reflects exactly them, a partial last line waits, and a truncated, replaced or rewritten log (an
// erasure) is rebuilt from scratch so nothing the log no longer holds survives in the cache.
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbAnalytics } from '../../../adapters/analytics/duckdb.js';
import { cachePathFor, dropReportCache } from '../../../adapters/analytics/event-cache.js';
import { localReport } from '../../../adapters/analytics/local-report.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import type { CampaignRepository } from '../../../core/ports.js';
import { generateEventLog } from '../../../bench/report.js';

// Two campaigns in different zones, so `day` (stored in the cache) depends on them.
const zonesOf = (berlin: string): CampaignRepository => {
  const campaigns = [
    { id: 'signup-anniversary', schedule: { timezone: 'UTC' }, eligibility: { holdoutPercent: 10 } },
    { id: 'tenth-order', schedule: { timezone: berlin }, eligibility: { holdoutPercent: 10 } },
    { id: 'project-complete-b2b', schedule: { timezone: berlin }, eligibility: { holdoutPercent: 0 } },
  ] as unknown as Campaign[];
  return { list: async () => campaigns, get: async (id: string) => campaigns.find((c) => c.id === id) };
};
const campaigns = zonesOf('Europe/Berlin');

let lines: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'report-cache-'));
let n = 0;
const freshLog = (content: string): string => {
  n += 1;
  const file = join(dir, `events-${n}.jsonl`);
  writeFileSync(file, content);
  return file;
};
const report = (file: string, cache: boolean, repo = campaigns) => localReport({ eventsFile: file, campaigns: repo, cache });
const outcome = async (file: string, repo = campaigns) => {
  const zones = (await repo.list()).map((c) => ({ campaignId: c.id, timezone: c.schedule.timezone }));
  const engine = await DuckDbAnalytics.open(file, zones, { cache: true });
  engine.close();
  return engine.cache;
};
/**
 * Rows of the cache's `events` naming a customer: their subject id or one of their ask ids (`<id>~…`, the generator's
 * first ask of each customer), read with DuckDB directly. Ids are stored as their md5_number (views/duckdb-events.sql).
 */
const rowsNaming = async (file: string, customer: string): Promise<number> => {
  const askId = lines.map((l) => (JSON.parse(l) as { detail: { askId?: string } }).detail.askId).find((a) => a?.startsWith(`${customer}~`))!;
  const instance = await DuckDBInstance.create(cachePathFor(file), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM events WHERE subject_id = md5_number('${customer}') OR ask_id = md5_number('${askId}')`);
    return Number(reader.getRowObjectsJS()[0]!.n);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
};

beforeAll(async () => {
  const source = join(dir, 'generated.jsonl');
  await generateEventLog(source, 3000);
  lines = readFileSync(source, 'utf8').trimEnd().split('\n');
});

describe('the report cache', () => {
  it('gives the same report as parsing the whole log, built, then current', async () => {
    const file = freshLog(`${lines.join('\n')}\n`);
    const uncached = await report(file, false);
    expect(existsSync(cachePathFor(file))).toBe(false);
    expect(uncached.funnel.total.counts.asked).toBeGreaterThan(100);
    expect(await report(file, true)).toEqual(uncached);
    expect(existsSync(cachePathFor(file))).toBe(true);
    expect(await report(file, true)).toEqual(uncached);
    expect(await outcome(file)).toEqual({ state: 'current', consumed: readFileSync(file).length, ingestedBytes: 0 });
  });

  it('after appends reflects exactly the appended events', async () => {
    const cut = Math.floor(lines.length * 0.6);
    const file = freshLog(`${lines.slice(0, cut).join('\n')}\n`);
    const before = await report(file, true);
    const appended = `${lines.slice(cut).join('\n')}\n`;
    appendFileSync(file, appended);
    const o = await outcome(file);
    expect(o).toEqual({ state: 'appended', consumed: readFileSync(file).length, ingestedBytes: Buffer.byteLength(appended) });
    const after = await report(file, true);
    expect(after).toEqual(await report(file, false));
    expect(after.funnel.total.counts.asked).toBeGreaterThan(before.funnel.total.counts.asked);
    // One more ask: exactly one more asked.
    const extra = JSON.parse(lines.find((l) => l.includes('referral.ask.sent'))!) as { detail: Record<string, unknown> };
    appendFileSync(file, `${JSON.stringify({ ...extra, detail: { ...extra.detail, askId: 'cus_new~x', customerId: 'cus_new', referralCode: 'cnew' } })}\n`);
    expect((await report(file, true)).funnel.total.counts.asked).toBe(after.funnel.total.counts.asked + 1);
  });

  it('reads a last line without its newline once it is complete JSON, as --no-cache does; an incomplete one is skipped and counted by both', async () => {
    const sent = lines.filter((l) => l.includes('referral.ask.sent'));
    const last = sent.at(-1)!;
    const head = lines.filter((l) => l !== last);
    const file = freshLog(`${head.join('\n')}\n${last.slice(0, 40)}`);
    const first = await report(file, true);
    // The incomplete line waits (nothing past the last newline is consumed) and is line head.length + 1 of the log.
    expect(await outcome(file)).toMatchObject({ state: 'current', consumed: Buffer.byteLength(`${head.join('\n')}\n`) });
    expect(first.skippedLines).toEqual({ count: 1, firstLine: head.length + 1 });
    expect(first).toEqual(await report(file, false));
    appendFileSync(file, last.slice(40)); // complete JSON, still no newline
    const whole = await report(file, true);
    expect(whole.funnel.total.counts.asked).toBe(first.funnel.total.counts.asked + 1);
    expect(whole.skippedLines).toEqual({ count: 0, firstLine: null });
    expect(whole).toEqual(await report(file, false));
    appendFileSync(file, '\n');
    expect(await report(file, true)).toEqual(whole);
    expect(await report(file, false)).toEqual(whole);
  });

  it('a last line read without its newline and then continued is read again as the longer (now malformed) line', async () => {
    const file = freshLog(`${lines.slice(0, 50).join('\n')}\n${lines[50]}`);
    const before = await report(file, true);
    appendFileSync(file, `${lines[51]}\n`); // a writer that did not know the file lacked its final newline
    const after = await report(file, true);
    expect(after.skippedLines).toEqual({ count: 1, firstLine: 51 });
    expect(after).toEqual(await report(file, false));
    expect(after).not.toEqual(before);
  });

  it('rebuilds when the log was truncated, replaced or the campaign zones changed', async () => {
    const file = freshLog(`${lines.join('\n')}\n`);
    await report(file, true);
    const shorter = `${lines.slice(0, 100).join('\n')}\n`;
    writeFileSync(file, shorter); // same inode, shorter
    expect(await outcome(file)).toEqual({ state: 'built', reason: 'truncated', consumed: Buffer.byteLength(shorter), ingestedBytes: Buffer.byteLength(shorter) });
    expect(await report(file, true)).toEqual(await report(file, false));

    const other = join(dir, 'replacement.jsonl');
    writeFileSync(other, `${lines.slice(0, 200).join('\n')}\n`);
    renameSync(other, file); // another inode, longer than before: not an append
    expect(await outcome(file)).toMatchObject({ state: 'built', reason: 'replaced' });
    expect(await report(file, true)).toEqual(await report(file, false));

    const tokyo = zonesOf('Asia/Tokyo');
    expect(await outcome(file, tokyo)).toMatchObject({ state: 'built', reason: 'zones' });
    expect(await report(file, true, tokyo)).toEqual(await report(file, false, tokyo));
  });

  it('rebuilds when the log was rewritten (an erasure): the erased ids are nowhere in the cache', async () => {
    const file = freshLog(`${lines.join('\n')}\n`);
    await report(file, true);
    expect(await rowsNaming(file, 'cus_0')).toBeGreaterThan(0);
    expect(await rowsNaming(file, 'cus_1')).toBeGreaterThan(0);
    // In place, same length (cus_0 -> anon0, both 5 bytes): only the content changed.
    const fd = openSync(file, 'r+');
    const text = readFileSync(file, 'utf8').replace(/"cus_0([~"])/g, '"anon0$1');
    writeSync(fd, text, 0);
    closeSync(fd);
    expect(await outcome(file)).toMatchObject({ state: 'built', reason: 'rewritten' });
    expect(await rowsNaming(file, 'cus_0')).toBe(0);
    expect(await report(file, true)).toEqual(await report(file, false));
    // Pseudonymized with another length, and more events appended in between: still rebuilt.
    writeFileSync(file, `${readFileSync(file, 'utf8').replace(/"cus_1([~"])/g, '"anon_0123456789abcdef$1')}${lines[5]}\n`);
    expect(await outcome(file)).toMatchObject({ state: 'built' });
    expect(await rowsNaming(file, 'cus_1')).toBe(0);
    expect(await report(file, true)).toEqual(await report(file, false));
  });

  it('a report while another holds the cache reads the log without it (same process or another)', async () => {
    const file = freshLog(`${lines.join('\n')}\n`);
    const expected = await report(file, false);
    const zones = (await campaigns.list()).map((c) => ({ campaignId: c.id, timezone: c.schedule.timezone }));
    const holder = await DuckDbAnalytics.open(file, zones, { cache: true });
    try {
      expect(holder.cache?.state).toBe('built');
      const second = await DuckDbAnalytics.open(file, zones, { cache: true });
      second.close();
      expect(second.cache).toBeUndefined();
      expect(await report(file, true)).toEqual(expected);
      // Another process meets DuckDB's file lock.
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/asks.js', 'report', '--events', file, '--json'], { maxBuffer: 16 * 1024 * 1024 });
      expect((JSON.parse(stdout) as typeof expected).funnel.total.counts).toEqual(expected.funnel.total.counts);
    } finally {
      holder.close();
    }
    expect(await outcome(file)).toMatchObject({ state: 'current' });
  });

  it('dropReportCache deletes the cache, and a cache file that is not a database is replaced; the next report builds it again', async () => {
    const file = freshLog(`${lines.slice(0, 300).join('\n')}\n`);
    await report(file, true);
    await dropReportCache(file);
    expect(existsSync(cachePathFor(file))).toBe(false);
    expect(await outcome(file)).toMatchObject({ state: 'built', reason: 'new' });
    // A cache file that is not a database (torn, or something else): replaced by a fresh one.
    await dropReportCache(file);
    writeFileSync(cachePathFor(file), 'not a database '.repeat(1000));
    expect(await outcome(file)).toMatchObject({ state: 'built', reason: 'new' });
    expect(await report(file, true)).toEqual(await report(file, false));
  });
});
