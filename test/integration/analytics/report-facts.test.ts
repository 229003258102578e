// The derived tables of the report cache (adapters/analytics/fact-tables.ts): a log appended in chunks, with events
// that change rows of earlier chunks (a click, a signup and a purchase on a code first sent earlier, a reward issued
// later, a bounce and a share-page view of an old ask, an earlier send of an old code that moves its later events to
// another ask, a repeated conversion, a new and a repeated order), a line that is not JSON and a partial last line.
// After each chunk the cached report equals the report that parses the whole log, and every derived table in the
// cache equals the same relation computed from scratch over the cache's events.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbAnalytics, derivedRelations } from '../../../adapters/analytics/duckdb.js';
import { MAINTAINED, refreshFacts } from '../../../adapters/analytics/fact-tables.js';
import { cachePathFor } from '../../../adapters/analytics/event-cache.js';
import { localReport } from '../../../adapters/analytics/local-report.js';
import { viewSql } from '../../../adapters/analytics/sql-files.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import type { CampaignRepository } from '../../../core/ports.js';
import type { Dimension } from '../../../core/analytics/query.js';
import { generateEventLog } from '../../../bench/report.js';

const list = [
  { id: 'signup-anniversary', schedule: { timezone: 'UTC' }, eligibility: { holdoutPercent: 10 } },
  { id: 'tenth-order', schedule: { timezone: 'Europe/Berlin' }, eligibility: { holdoutPercent: 10 } },
  { id: 'project-complete-b2b', schedule: { timezone: 'America/New_York' }, eligibility: { holdoutPercent: 0 } },
] as unknown as Campaign[];
const campaigns: CampaignRepository = { list: async () => list, get: async (id: string) => list.find((c) => c.id === id) };
const zones = list.map((c) => ({ campaignId: c.id, timezone: c.schedule.timezone }));

type Envelope = { source: string; 'detail-type': string; detail: Record<string, unknown> };
const dir = mkdtempSync(join(tmpdir(), 'report-facts-'));
let lines: string[] = [];
const parse = (line: string) => JSON.parse(line) as Envelope;
const line = (type: string, detail: Record<string, unknown>) => JSON.stringify({ source: 'milestone-referral-asks', 'detail-type': `${type}.v1`, detail: { version: 1, ...detail } });
const shift = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();

/** The cached report equals the uncached one, for the total, two groupings and a scoped report. */
async function expectSameReports(file: string): Promise<void> {
  const variants: Array<{ by?: Dimension; campaign?: string; from?: string; to?: string }> = [{}, { by: 'variant' }, { by: 'channel' }, { campaign: 'tenth-order', from: '2025-03-01', to: '2026-03-01', by: 'tier' }];
  for (const v of variants) {
    const cached = await localReport({ eventsFile: file, campaigns, cache: true, ...v });
    expect(cached).toEqual(await localReport({ eventsFile: file, campaigns, cache: false, ...v }));
  }
}

/**
 * Rows of each derived table in the cache that the same relation computed from scratch over the cache's events does
 * not have, or lacks (each relation after the ones it reads, which were compared before it).
 */
async function tableDifferences(file: string): Promise<Record<string, number>> {
  const relations = derivedRelations(await viewSql('duckdb'), zones.map((z) => `('${z.campaignId}', '${z.timezone}')`));
  const instance = await DuckDBInstance.create(cachePathFor(file), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const out: Record<string, number> = {};
    for (const r of relations) {
      const sql = `SELECT count(*) AS n FROM ((SELECT * FROM ${r.name} EXCEPT ALL SELECT * FROM (${r.body})) UNION ALL (SELECT * FROM (${r.body}) EXCEPT ALL SELECT * FROM ${r.name}))`;
      out[r.name] = Number((await connection.runAndReadAll(sql)).getRowObjectsJS()[0]!.n);
    }
    return out;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function codeAskOf(file: string, code: string): Promise<string> {
  const instance = await DuckDBInstance.create(cachePathFor(file), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT CAST(ask_id AS VARCHAR) AS a FROM code_asks WHERE referral_code = md5_number('${code}')`);
    return String(reader.getRowObjectsJS()[0]?.a);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function md5Number(id: string): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return String((await connection.runAndReadAll(`SELECT CAST(md5_number('${id}') AS VARCHAR) AS a`)).getRowObjectsJS()[0]!.a);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const NONE = Object.fromEntries(['order_days', 'code_asks', 'conversions', 'rewards', 'ask_outcomes', 'sent_asks', 'ask_activity', 'ask_shares'].map((t) => [t, 0]));

const state = async (file: string) => {
  const engine = await DuckDbAnalytics.open(file, zones, { cache: true });
  engine.close();
  return engine.cache?.state;
};

beforeAll(async () => {
  const source = join(dir, 'generated.jsonl');
  await generateEventLog(source, 4000);
  lines = readFileSync(source, 'utf8').trimEnd().split('\n');
});

describe('the derived tables of the report cache', () => {
  it('kept up to date chunk by chunk, they equal the relations computed from scratch, and the reports equal --no-cache', async () => {
    const cutA = Math.floor(lines.length * 0.4);
    const cutB = Math.floor(lines.length * 0.7);
    const chunkA = lines.slice(0, cutA);
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${chunkA.join('\n')}\n`);
    await expectSameReports(file);
    expect(await tableDifferences(file)).toEqual(NONE);

    // Old events to build on: a sent ask with a code and no clicks, one whose code is sent again earlier, a held
    // reward, a conversion and an order of the first chunk.
    const events = chunkA.map(parse);
    const clicked = new Set(events.filter((e) => e['detail-type'] === 'referral.click.recorded.v1').map((e) => e.detail.referralCode));
    const sent = events.filter((e) => e['detail-type'] === 'referral.ask.sent.v1');
    const quiet = sent.find((e) => !clicked.has(e.detail.referralCode))!;
    const moved = sent.filter((e) => clicked.has(e.detail.referralCode)).at(-1)!;
    const held = events.find((e) => e['detail-type'] === 'referral.reward.held.v1')!;
    const conversion = chunkA.find((l) => l.includes('referral.conversion.recorded'))!;
    const order = events.find((e) => e['detail-type'] === 'customer.order.completed.v1')!;
    const emailed = events.find((e) => e['detail-type'] === 'referral.delivery.recorded.v1')!;
    const code = String(quiet.detail.referralCode);
    const at = String(quiet.detail.occurredAt);
    const crafted = [
      line('referral.click.recorded', { occurredAt: shift(at, 200), clickId: 'k-late', referralCode: code, campaignId: quiet.detail.campaignId }),
      line('referral.conversion.recorded', { occurredAt: shift(at, 201), conversionId: 'cs-late', referralCode: code, campaignId: quiet.detail.campaignId, type: 'signup', refereeId: 'f-late' }),
      line('referral.conversion.recorded', { occurredAt: shift(at, 202), conversionId: 'cp-late', referralCode: code, campaignId: quiet.detail.campaignId, type: 'purchase', refereeId: 'f-late', amountMinor: 4200, currency: 'EUR' }),
      line('referral.reward.issued', { ...held.detail, occurredAt: shift(String(held.detail.occurredAt), 721) }),
      line('referral.delivery.recorded', { occurredAt: shift(String(emailed.detail.occurredAt), 1), askId: emailed.detail.askId, messageId: 'm-late', status: 'bounced' }),
      line('referral.share.viewed', { occurredAt: shift(at, 203), askId: quiet.detail.askId, campaignId: quiet.detail.campaignId, customerId: quiet.detail.customerId, referralCode: code }),
      // The same code sent an hour before its first ask, under another ask and variant: its clicks move to this ask.
      line('referral.ask.sent', { ...moved.detail, askId: 'moved~earlier', variantId: 'moved-variant', occurredAt: shift(String(moved.detail.occurredAt), -1) }),
      // A send delivered again (at least once): its ask is sent twice (sent_asks.sends = 2), still one ask.
      line('referral.ask.sent', { ...quiet.detail }),
      conversion,
      line('customer.order.completed', { ...order.detail, orderId: 'o-late', occurredAt: shift(String(order.detail.occurredAt), 100) }),
      line('customer.order.completed', { ...order.detail, occurredAt: shift(String(order.detail.occurredAt), 5), amountMinor: 1 }),
      'not json {',
    ];
    const partial = lines[cutB]!;
    appendFileSync(file, `${[...lines.slice(cutA, cutB), ...crafted].join('\n')}\n${partial.slice(0, 30)}`);
    const before = await localReport({ eventsFile: file, campaigns, cache: false, by: 'variant' });
    expect(await state(file)).toBe('appended');
    expect(await codeAskOf(file, String(moved.detail.referralCode))).toBe(await md5Number('moved~earlier'));
    await expectSameReports(file);
    expect(await tableDifferences(file)).toEqual(NONE);
    expect(before.funnel.groups.some((g) => g.group.includes('moved-variant') && g.counts.clicks > 0)).toBe(true);
    expect(before.skippedLines?.count).toBe(2);
    const sentAsks = new Set(readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"referral.ask.sent.v1"')).map((l) => parse(l).detail.askId));
    expect(before.funnel.total.counts.asked).toBe(sentAsks.size);

    // The partial line completed, the rest of the log.
    appendFileSync(file, `${partial.slice(30)}\n${lines.slice(cutB + 1).join('\n')}\n`);
    expect(await state(file)).toBe('appended');
    await expectSameReports(file);
    expect(await tableDifferences(file)).toEqual(NONE);
    const after = await localReport({ eventsFile: file, campaigns, cache: true });
    expect(after.funnel.total.counts.asked).toBeGreaterThan(before.funnel.total.counts.asked);
    expect(after.skippedLines?.count).toBe(1);
  });

  it('every derived relation has its upkeep, and a relation without one is refused rather than left stale', async () => {
    const relations = derivedRelations(await viewSql('duckdb'), ["('c', 'UTC')"]);
    expect(relations.map((r) => r.name).sort()).toEqual([...MAINTAINED].sort());
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await expect(refreshFacts(connection, [...relations, { name: 'new_view', body: 'SELECT 1 AS x FROM events' }], 'fresh')).rejects.toThrow(/new_view/);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
