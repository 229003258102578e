// The analytics engine on DuckDB (embedded, @duckdb/node-api): the event log is read into the typed `events` table
// (analytics/views/duckdb-events.sql), and the derived relations (`order_days` of views/duckdb.sql, the shared views of
// views/common.sql) are tables (adapters/analytics/fact-tables.ts): kept in the log's report cache and brought up to
// date with each append (adapters/analytics/event-cache.ts), or, without it, built in memory from the whole log. Each
// query then runs on them.
import { rmSync } from 'node:fs';
import { access, mkdtemp, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { renderSql, type AnalyticsEngine, type QueryName, type QueryParams, type Row } from '../../core/analytics/query.js';
import { openEventCache, type CacheOutcome } from './event-cache.js';
import { createFacts, relationsOf, type Relation } from './fact-tables.js';
import { scanLines, type SkippedLines } from './log-lines.js';
import { duckdbEventsSql, querySql, viewSql } from './sql-files.js';

const ZONE = /^[A-Za-z0-9_+\-/]+$/;
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Bounded memory (it spills past the limit), UTC session time; insertion order is never relied on.
// 200 MB keeps a cold report over a 1M-event log (300 MB) under 512 MB resident at no measurable cost in time.
const SETTINGS = `SET preserve_insertion_order = false; SET TimeZone = 'UTC'; SET memory_limit = '200MB'`;
/** What each further query connection sets (the rest of SETTINGS is the instance's). */
const SESSION = `SET TimeZone = 'UTC'`;
/** Connections the report's queries run on at once, one thread each: one per core, at most 4. */
const QUERY_CONNECTIONS = Math.max(1, Math.min(4, availableParallelism()));

function toPlain(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return String(value);
}

/**
 * The derived relations on DuckDB (views/duckdb.sql with the campaign zones, then views/common.sql), in order, for
 * `zones` given as SQL rows `('campaign-id', 'Zone/Name')`.
 */
export function derivedRelations(views: { engine: string; common: string }, zones: readonly string[]): Relation[] {
  return relationsOf(`${views.engine.replaceAll('{{campaign_zones}}', zones.length ? zones.join(', ') : "('', 'UTC')")}\n;\n${views.common}`);
}

export class DuckDbAnalytics implements AnalyticsEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Lines of the log that are not events (not JSON, or no detail-type / occurredAt): skipped by the reader. */
    readonly skippedLines: SkippedLines,
    /** What the report cache did (undefined: the log was read without it). */
    readonly cache?: CacheOutcome,
    /** The directory an in-memory database spills to (deleted on close). */
    private readonly spill?: string,
    /** Lets another report in this process open the cache once this one is closed. */
    private readonly release?: () => void,
    /** The last event's UTC date (YYYY-MM-DD), undefined for a log without events. */
    private readonly last?: string,
  ) {}

  /**
   * Load `file` (JSON lines of EventBridge envelopes) with each campaign's timezone. With `cache`, through the log's
   * columnar cache (adapters/analytics/event-cache.ts): only lines appended since the last report are parsed; without
   * it (or when another process holds the cache) the whole log is parsed into memory. Throws when the file is missing
   * (Error with code "NO_EVENT_LOG").
   */
  static async open(file: string, zones: ReadonlyArray<{ campaignId: string; timezone: string }>, options: { cache?: boolean } = {}): Promise<DuckDbAnalytics> {
    try {
      await access(file);
    } catch {
      throw Object.assign(new Error(`no event log at ${file}: run \`npm start\` (or point EVENTS_FILE at a log)`), { code: 'NO_EVENT_LOG' });
    }
    const debug = process.env.ANALYTICS_DEBUG ? (line: string) => void process.stderr.write(`${line}\n`) : undefined;
    const valid = zones.filter((z) => ID.test(z.campaignId) && ZONE.test(z.timezone));
    const values = valid.map((z) => `('${z.campaignId}', '${z.timezone}')`);
    const day = `CASE campaign_id ${valid.map((z) => `WHEN '${z.campaignId}' THEN timezone('${z.timezone}', occurred_ts) `).join('')}ELSE timezone('UTC', occurred_ts) END`;
    const [views, eventsSql] = await Promise.all([viewSql('duckdb'), duckdbEventsSql()]);
    const eventsSelect = (source: string) => eventsSql.replace(/^\s*--.*$/gm, '').trim().replaceAll('{{file}}', source.replaceAll("'", "''")).replaceAll('{{campaign_day}}', day);
    // The derived relations (views/duckdb.sql, then views/common.sql) as tables: kept in the cache, or built here.
    const relations = derivedRelations(views, values);
    let opened: { instance: DuckDBInstance; connection: DuckDBConnection; skipped: SkippedLines; outcome?: CacheOutcome; release?: () => void } | undefined;
    let spill: string | undefined;
    let built = false;
    if (options.cache) opened = await openEventCache(file, { zones: values.join(', '), settings: SETTINGS, eventsSelect, relations, ...(debug ? { debug } : {}) });
    if (!opened) {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      // Past the memory limit DuckDB spills to files: in the system's temp directory, not the working directory.
      spill = await mkdtemp(join(tmpdir(), 'asks-report-'));
      await connection.run(`${SETTINGS}; SET temp_directory = '${spill.replaceAll("'", "''")}'`);
      const t0 = performance.now();
      const size = (await stat(file)).size;
      await connection.run(`CREATE TABLE events AS ${eventsSelect(file)}`);
      const rows = Number((await connection.runAndReadAll('SELECT count(*) AS n FROM events')).getRowObjectsJS()[0]?.n ?? 0);
      // A line appended while DuckDB read is in `rows` but not in `size`: it only makes a skipped line less likely seen.
      const { skipped } = await scanLines({ path: file }, 0, size, 1, rows);
      debug?.(`${((performance.now() - t0) / 1000).toFixed(2)} s  events from the whole log (no cache)`);
      opened = { instance, connection, skipped };
      built = true;
    }
    const { instance, connection } = opened;
    let last: string | undefined;
    try {
      // Embedded and single-user: without the cache the relations are materialized once for this report (in memory);
      // every query then reads small tables.
      if (built) await createFacts(connection, relations, debug ? { debug } : {});
      const d = (await connection.runAndReadAll("SELECT strftime(max(occurred_ts), '%Y-%m-%d') AS d FROM events")).getRowObjectsJS()[0]?.d;
      last = typeof d === 'string' ? d : undefined;
      // No query reads the events themselves: without the cache their memory goes to the queries.
      if (built) await connection.run('DROP TABLE events');
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      if (spill) rmSync(spill, { recursive: true, force: true });
      opened.release?.();
      throw error;
    }
    return new DuckDbAnalytics(instance, connection, opened.skipped, opened.outcome, spill, opened.release, last);
  }

  /** Connections the queries run on side by side (this.connection and more), made at the first query. */
  private pool?: Promise<void>;
  private readonly extra: DuckDBConnection[] = [];
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: Array<(c: DuckDBConnection) => void> = [];

  /**
   * A connection to run one query on. The report's queries are small (a few hundred thousand rows each): run one
   * thread each, side by side on a connection per core, they finish sooner and use less CPU than one after another
   * with every thread each. Reading the log keeps every thread.
   */
  private async acquire(): Promise<DuckDBConnection> {
    this.pool ??= (async () => {
      for (let i = 1; i < QUERY_CONNECTIONS; i += 1) {
        const c = await this.instance.connect();
        this.extra.push(c);
        await c.run(SESSION);
      }
      await this.connection.run('SET threads = 1');
      this.idle.push(this.connection, ...this.extra);
    })();
    await this.pool;
    return this.idle.pop() ?? new Promise((resolve) => this.waiting.push(resolve));
  }

  private giveBack(c: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
  }

  async run(query: QueryName, params: QueryParams): Promise<Row[]> {
    const { text, includes } = await querySql(query);
    const sql = renderSql(text, params, includes);
    const t0 = performance.now();
    const connection = await this.acquire();
    let reader;
    try {
      reader = await connection.runAndReadAll(sql);
    } finally {
      this.giveBack(connection);
    }
    if (process.env.ANALYTICS_DEBUG) process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(2)} s  query ${query} (${params.dim})\n`);
    return reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toPlain(v)])));
  }

  /** The last event's date (YYYY-MM-DD, UTC), read when the log was opened: the report's default as-of date. */
  async lastDay(): Promise<string | undefined> {
    return this.last;
  }

  close(): void {
    for (const c of this.extra) c.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.spill) rmSync(this.spill, { recursive: true, force: true });
    this.release?.();
  }
}
