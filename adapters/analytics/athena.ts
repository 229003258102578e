// The analytics engine on Athena: the same SQL files as DuckDB, over the Glue table Firehose fills from the bus.
// Settings come from the environment (the analytics stack's outputs): ATHENA_WORKGROUP (encrypted results bucket
// with lifecycle rules, set on the workgroup), ATHENA_DATABASE and ATHENA_TABLE.
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { buildReport, reportAsOf, type Report } from '../../core/analytics/report.js';
import { renderSql, type AnalyticsEngine, type QueryName, type QueryParams, type Row } from '../../core/analytics/query.js';
import type { LocalReportOptions } from './local-report.js';
import { analyticsSettings, querySql, viewSql } from './sql-files.js';
import { createAwsClient } from '../aws-clients.js';

const NAME = /^[A-Za-z0-9_]+$/;

export class AthenaAnalytics implements AnalyticsEngine {
  constructor(
    private readonly client: AthenaClient,
    private readonly settings: { workGroup: string; database: string },
    private readonly pollMs = 500,
  ) {}

  /** Run one statement to completion; throws with Athena's reason when it fails. */
  async execute(sql: string): Promise<Row[]> {
    const { QueryExecutionId: id } = await this.client.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: this.settings.workGroup, QueryExecutionContext: { Database: this.settings.database } }));
    for (;;) {
      const { QueryExecution: q } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = q?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') throw new Error(`Athena query ${state}: ${q?.Status?.StateChangeReason ?? 'no reason given'}`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    const rows: Row[] = [];
    let columns: string[] | undefined;
    let token: string | undefined;
    do {
      const page = await this.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const types = info.map((c) => c.Type ?? 'varchar');
      let data = page.ResultSet?.Rows ?? [];
      if (!columns) {
        columns = info.map((c) => c.Name ?? '');
        data = data.slice(1); // the first row of the first page repeats the column names
      }
      for (const r of data) {
        rows.push(Object.fromEntries((r.Data ?? []).map((d, i) => {
          const v = d.VarCharValue;
          const numeric = /int|double|decimal|real|float/.test(types[i]!);
          return [columns![i]!, v === undefined ? null : numeric ? Number(v) : v];
        })));
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }

  async run(query: QueryName, params: QueryParams): Promise<Row[]> {
    const { text, includes } = await querySql(query);
    return this.execute(renderSql(text, params, includes));
  }
}

/** The report on Athena (`asks report --target aws`). Throws when the settings are missing. */
export async function athenaReport(options: Omit<LocalReportOptions, 'eventsFile'>): Promise<Report> {
  const workGroup = process.env.ATHENA_WORKGROUP;
  const database = process.env.ATHENA_DATABASE;
  const table = process.env.ATHENA_TABLE ?? 'referral_events';
  if (!workGroup || !database) throw new Error('--target aws needs ATHENA_WORKGROUP and ATHENA_DATABASE (the analytics stack outputs)');
  if (!NAME.test(database) || !NAME.test(table)) throw new Error('ATHENA_DATABASE and ATHENA_TABLE must be plain names');
  const engine = new AthenaAnalytics(createAwsClient('athena', AthenaClient), { workGroup, database });
  const campaigns = await options.campaigns.list();
  const zones = campaigns.map((c) => `('${c.id}', '${c.schedule.timezone.replace(/[^A-Za-z0-9_+\-/]/g, '')}')`).join(', ') || "('', 'UTC')";
  const views = await viewSql('athena');
  const script = `${views.engine.replaceAll('{{table}}', `"${database}"."${table}"`).replaceAll('{{campaign_zones}}', zones)}\n${views.common}`;
  for (const sql of script.replace(/^\s*--.*$/gm, '').split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean)) await engine.execute(sql);
  const { config, benchmarks } = await analyticsSettings();
  const asOf = reportAsOf(options.to, new Date().toISOString().slice(0, 10));
  return buildReport(
    engine,
    { ...(options.campaign ? { campaign: options.campaign } : {}), ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}), ...(options.by ? { by: options.by } : {}), asOf, holdoutPercent: Object.fromEntries(campaigns.map((c) => [c.id, c.eligibility.holdoutPercent])) },
    { ...config, ...(options.windowDays ? { windowDays: options.windowDays } : {}) },
    benchmarks,
  );
}
