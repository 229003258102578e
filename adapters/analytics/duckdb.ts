// The analytics engine on DuckDB (embedded, @duckdb/node-api): the event log is read once into typed tables
// (analytics/views/duckdb.sql), the shared views are created (views/common.sql), then each query runs on them.
import { access } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { renderSql, type AnalyticsEngine, type QueryName, type QueryParams, type Row } from '../../core/analytics/query.js';
import { querySql, viewSql } from './sql-files.js';

const ZONE = /^[A-Za-z0-9_+\-/]+$/;
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

function toPlain(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return String(value);
}

/** Split a script into statements (no semicolons inside our string literals). */
function statements(script: string): string[] {
  return script
    .replace(/^\s*--.*$/gm, '')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export class DuckDbAnalytics implements AnalyticsEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /**
   * Load `file` (JSON lines of EventBridge envelopes) with each campaign's timezone. Throws when the file is missing
   * (Error with code "NO_EVENT_LOG").
   */
  static async open(file: string, zones: ReadonlyArray<{ campaignId: string; timezone: string }>): Promise<DuckDbAnalytics> {
    try {
      await access(file);
    } catch {
      throw Object.assign(new Error(`no event log at ${file}: run \`npm start\` (or point EVENTS_FILE at a log)`), { code: 'NO_EVENT_LOG' });
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const valid = zones.filter((z) => ID.test(z.campaignId) && ZONE.test(z.timezone));
    const values = valid.map((z) => `('${z.campaignId}', '${z.timezone}')`);
    const day = `CASE campaign_id ${valid.map((z) => `WHEN '${z.campaignId}' THEN timezone('${z.timezone}', occurred_ts) `).join('')}ELSE timezone('UTC', occurred_ts) END`;
    const views = await viewSql('duckdb');
    const script = views.engine
      .replaceAll('{{file}}', file.replaceAll("'", "''"))
      .replaceAll('{{campaign_zones}}', values.length ? values.join(', ') : "('', 'UTC')")
      .replaceAll('{{campaign_day}}', day);
    // Embedded and single-user: the shared views are materialized once, every query then reads small tables.
    const common = views.common.replaceAll('CREATE OR REPLACE VIEW', 'CREATE OR REPLACE TABLE');
    // Bounded memory (it spills past the limit), UTC session time; insertion order is never relied on.
    await connection.run("SET preserve_insertion_order = false; SET TimeZone = 'UTC'; SET memory_limit = '384MB'");
    for (const sql of [...statements(script), ...statements(common)]) {
      const t0 = performance.now();
      await connection.run(sql);
      if (process.env.ANALYTICS_DEBUG) process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(2)} s  ${sql.slice(0, 60).replace(/\s+/g, ' ')}\n`);
    }
    return new DuckDbAnalytics(instance, connection);
  }

  async run(query: QueryName, params: QueryParams): Promise<Row[]> {
    const { text, includes } = await querySql(query);
    const reader = await this.connection.runAndReadAll(renderSql(text, params, includes));
    return reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toPlain(v)])));
  }

  /** Scalar helpers for the report's scope. */
  async lastDay(): Promise<string | undefined> {
    const reader = await this.connection.runAndReadAll("SELECT strftime(max(occurred_ts), '%Y-%m-%d') AS d FROM events_raw");
    const d = reader.getRowObjectsJS()[0]?.d;
    return typeof d === 'string' ? d : undefined;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
