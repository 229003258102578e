// The analytics SQL files on disk (analytics/*.sql): one place that knows where they live.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryName } from '../../core/analytics/query.js';
import { BenchmarksSchema, ReportConfigSchema, type Benchmark, type ReportConfig } from '../../core/analytics/report.js';

export const ANALYTICS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'analytics');

const cache = new Map<string, string>();
async function read(path: string): Promise<string> {
  let text = cache.get(path);
  if (text === undefined) {
    text = await readFile(path, 'utf8');
    cache.set(path, text);
  }
  return text;
}

/** A query's text and the shared CTEs it may include. */
export async function querySql(name: QueryName, dir = ANALYTICS_DIR): Promise<{ text: string; includes: Record<string, string> }> {
  const [text, asks, cohorts] = await Promise.all([read(join(dir, `${name}.sql`)), read(join(dir, 'asks.cte.sql')), read(join(dir, 'cohorts.cte.sql'))]);
  return { text, includes: { asks, cohorts } };
}

/** An engine's view script (views/duckdb.sql, views/athena.sql) and the shared views (views/common.sql). */
export async function viewSql(engine: 'duckdb' | 'athena', dir = ANALYTICS_DIR): Promise<{ engine: string; common: string }> {
  const [engineText, common] = await Promise.all([read(join(dir, 'views', `${engine}.sql`)), read(join(dir, 'views', 'common.sql'))]);
  return { engine: engineText, common };
}

/** The DuckDB SELECT that turns event log lines (`{{file}}`) into `events` rows (views/duckdb-events.sql). */
export async function duckdbEventsSql(dir = ANALYTICS_DIR): Promise<string> {
  return read(join(dir, 'views', 'duckdb-events.sql'));
}

/** analytics/config.json and analytics/benchmarks.json, parsed. */
export async function analyticsSettings(dir = ANALYTICS_DIR): Promise<{ config: ReportConfig; benchmarks: Benchmark[] }> {
  const [config, benchmarks] = await Promise.all([read(join(dir, 'config.json')), read(join(dir, 'benchmarks.json'))]);
  return { config: ReportConfigSchema.parse(JSON.parse(config)), benchmarks: BenchmarksSchema.parse(JSON.parse(benchmarks)).benchmarks };
}
