// The report on the local event log: DuckDB over `.local/events.jsonl` (through its report cache unless told not to)
// with the campaign files' zones and holdout percentages. One function shared by `asks report`, `npm start` and the
// bench.
import type { CampaignRepository } from '../../core/ports.js';
import { buildReport, reportAsOf, type Report } from '../../core/analytics/report.js';
import type { Dimension } from '../../core/analytics/query.js';
import { DuckDbAnalytics } from './duckdb.js';
import { analyticsSettings } from './sql-files.js';

export interface LocalReportOptions {
  eventsFile: string;
  campaigns: CampaignRepository;
  campaign?: string;
  from?: string;
  to?: string;
  by?: Dimension;
  /** Overrides analytics/config.json's windowDays. */
  windowDays?: number;
  /** Read the log through its report cache (`<log>.report-cache.duckdb`, default true); false parses the whole log. */
  cache?: boolean;
}

/**
 * Build the report from a local log, with `skippedLines` (lines that are not events). Throws (code NO_EVENT_LOG) when
 * the file is missing.
 */
export async function localReport(options: LocalReportOptions): Promise<Report> {
  const campaigns = await options.campaigns.list();
  const { config, benchmarks } = await analyticsSettings();
  const engine = await DuckDbAnalytics.open(options.eventsFile, campaigns.map((c) => ({ campaignId: c.id, timezone: c.schedule.timezone })), { cache: options.cache ?? true });
  try {
    const asOf = reportAsOf(options.to, await engine.lastDay());
    const report = await buildReport(
      engine,
      { ...(options.campaign ? { campaign: options.campaign } : {}), ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}), ...(options.by ? { by: options.by } : {}), asOf, holdoutPercent: Object.fromEntries(campaigns.map((c) => [c.id, c.eligibility.holdoutPercent])) },
      { ...config, ...(options.windowDays ? { windowDays: options.windowDays } : {}) },
      benchmarks,
    );
    return { ...report, skippedLines: engine.skippedLines };
  } finally {
    engine.close();
  }
}
