// The analytics queries (analytics/*.sql) and their parameters. The same SQL runs on DuckDB locally and on Athena;
// parameters are substituted as validated literals ({{campaign}}, {{from}}, {{to}}, {{as_of}}, {{window_days}}) or as
// one of a fixed set of column expressions ({{dim}}), and shared CTEs are included with {{> name}}.

export const QUERY_NAMES = ['funnel', 'skips', 'networks', 'rewards', 'messages', 'revenue', 'roi_weekly', 'holdout', 'srm', 'cohorts'] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

export const DIMENSIONS = ['variant', 'channel', 'milestone', 'tier', 'week', 'cohort'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The grouping expression over the asks (analytics/asks.cte.sql) for each `--by`. */
export const DIMENSION_SQL: Record<Dimension | 'all', string> = {
  all: "'all'",
  variant: "campaign_id || '/' || coalesce(variant_id, '(holdout)')",
  channel: 'channel',
  milestone: 'milestone_kind',
  tier: "campaign_id || '/' || tenure_tier",
  week: "CAST(CAST(date_trunc('week', CAST(run_date AS DATE)) AS DATE) AS VARCHAR)",
  cohort: 'cohort_month',
};

export interface QueryParams {
  campaign?: string;
  /** Run dates (YYYY-MM-DD, campaign timezone), inclusive. */
  from?: string;
  to?: string;
  /** The date cohorts are observed up to (YYYY-MM-DD). */
  asOf: string;
  windowDays: number;
  dim: Dimension | 'all';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A SQL string literal of a value already checked against a strict pattern. */
function literal(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new RangeError(`${what} "${value}" is not valid`);
  return `'${value}'`;
}

/**
 * The SQL text of a query with its parameters and includes substituted. `includes` maps a name to its text
 * ("asks" -> analytics/asks.cte.sql). Throws RangeError for a parameter outside its pattern.
 */
export function renderSql(text: string, params: QueryParams, includes: Record<string, string>): string {
  const withIncludes = text.replace(/\{\{>\s*([a-z_]+)\s*\}\}/g, (_m, name: string) => {
    const inc = includes[name];
    if (inc === undefined) throw new RangeError(`no include "${name}"`);
    return inc.replace(/^\s*--.*$/gm, '').trim();
  });
  if (!Number.isInteger(params.windowDays) || params.windowDays < 1 || params.windowDays > 3650) throw new RangeError('windowDays must be 1-3650');
  const values: Record<string, string> = {
    campaign: params.campaign === undefined ? 'CAST(NULL AS VARCHAR)' : literal(params.campaign, ID, 'campaign'),
    from: literal(params.from ?? '0001-01-01', DATE, 'from'),
    to: literal(params.to ?? '9999-12-31', DATE, 'to'),
    as_of: literal(params.asOf, DATE, 'as_of'),
    window_days: String(params.windowDays),
    dim: DIMENSION_SQL[params.dim],
  };
  return withIncludes.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (m, name: string) => values[name] ?? m);
}

/** One result row: column name to a number, a string or null. */
export type Row = Record<string, string | number | null>;

/** Runs one named query (DuckDB over the local log, or Athena). */
export interface AnalyticsEngine {
  run(query: QueryName, params: QueryParams): Promise<Row[]>;
}
