// The derived relations every query reads (analytics/views/duckdb.sql: order_days; analytics/views/common.sql: code_asks,
// conversions, rewards, ask_outcomes, sent_asks, ask_activity, ask_shares), as DuckDB tables. On Athena they are views over the
// raw events; here they are built from `events` once, and in the report cache (event-cache.ts) kept with it: when lines
// are appended, only the rows whose key the new events touch are computed again, from the same SQL, over the events
// of those keys only (delete, then insert), so a report reads them instead of every event.
//
// Each relation's row depends only on the events of its key and on the relations before it (the comment of each view
// names its key). A referral code's first ask (code_asks) can move to another ask when an earlier send of the code is
// appended: its conversions, rewards and clicks then move too, so the asks on both sides are computed again.
import type { DuckDBConnection } from '@duckdb/node-api';

/** A derived relation: its name and the SELECT that defines it over `events` and the relations before it. */
export interface Relation {
  name: string;
  body: string;
}

const RELATION = /^CREATE\s+OR\s+REPLACE\s+VIEW\s+([a-z_]+)\s+AS\s+([\s\S]+)$/i;

/**
 * The relations of a view script (`CREATE OR REPLACE VIEW name AS …;` statements, `--` comment lines ignored), in
 * order. Throws (Error) on a statement of another form.
 */
export function relationsOf(script: string): Relation[] {
  return script
    .replace(/^\s*--.*$/gm, '')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((statement) => {
      const match = RELATION.exec(statement);
      if (!match) throw new Error(`not a view definition: ${statement.slice(0, 60)}`);
      return { name: match[1]!.toLowerCase(), body: match[2]!.trim() };
    });
}

/** Build every relation from the whole `events` table (in the cache, or in a report's in-memory database). */
export async function createFacts(
  connection: DuckDBConnection,
  relations: readonly Relation[],
  options: { debug?: (line: string) => void } = {},
): Promise<void> {
  for (const r of relations) {
    const t0 = performance.now();
    await connection.run(`CREATE OR REPLACE TABLE ${r.name} AS ${r.body}`);
    options.debug?.(`${((performance.now() - t0) / 1000).toFixed(2)} s  table ${r.name}`);
  }
}

/** Relations whose incremental upkeep refreshFacts knows (in the order it brings them up to date). */
export const MAINTAINED = ['order_days', 'code_asks', 'conversions', 'rewards', 'ask_outcomes', 'sent_asks', 'ask_activity', 'ask_shares'] as const;

const ORDER = "'customer.order.completed'";
const CONVERSION = "'referral.conversion.recorded'";
const CLICK = "'referral.click.recorded'";
const SENT = "'referral.ask.sent'";
const AFTER_ASK = "('referral.delivery.recorded', 'referral.share.viewed', 'referral.share.recorded')";
const SHARE = "'referral.share.recorded'";
const REWARD = "'referral.reward.%'";

/** `row`'s key columns equal (NULL equal to NULL) to those of some row of `keys`. */
const keyIn = (row: string, keys: string, columns: readonly string[]) =>
  `EXISTS (SELECT 1 FROM ${keys} WHERE ${columns.map((c) => `${keys}.${c} IS NOT DISTINCT FROM ${row}.${c}`).join(' AND ')})`;

/** The events columns by which the scope of a refresh is read (each a key of some relation's rows). */
const SCOPE_KEYS = ['referral_code', 'ask_id', 'conversion_id', 'reward_id', 'order_id'] as const;
type ScopeKey = (typeof SCOPE_KEYS)[number];
/**
 * The events a NULL key of each kind scopes: those the relations reached through it read (a code: its sends, clicks,
 * conversions and rewards; an ask: its delivery and share events; a conversion, reward or order id: its own events),
 * not every event without that id. (A key that is not NULL scopes all its events: reading the key column alone is
 * cheaper than filtering on the event name first.)
 */
const NULL_SCOPE: Record<ScopeKey, string> = {
  referral_code: `(event IN (${SENT}, ${CLICK}, ${CONVERSION}) OR event LIKE ${REWARD})`,
  ask_id: `event IN ${AFTER_ASK}`,
  conversion_id: `event = ${CONVERSION}`,
  reward_id: `event LIKE ${REWARD}`,
  order_id: `event = ${ORDER}`,
};

/**
 * Bring the relations up to date with the rows of `fresh` (a table of the `events` rows just appended, already in
 * `events`): each touched key's rows are deleted and computed again from the same SQL over the events of those keys
 * (the scope: every event whose referral code, ask, conversion, reward or order id is one of the touched ones, read
 * from `events` in one pass, and again only for keys a moved code adds). Run it inside the transaction that appended
 * the events. Throws (Error) for a relation it has no upkeep for (a view added to views/common.sql needs its rule
 * here), and what DuckDB throws.
 */
export async function refreshFacts(
  connection: DuckDBConnection,
  relations: readonly Relation[],
  fresh: string,
  debug?: (line: string) => void,
): Promise<void> {
  const byName = new Map(relations.map((r) => [r.name, r]));
  const unknown = relations.filter((r) => !(MAINTAINED as readonly string[]).includes(r.name));
  if (unknown.length)
    throw new Error(`no incremental upkeep for ${unknown.map((r) => r.name).join(', ')} (adapters/analytics/fact-tables.ts)`);
  const temps = new Set<string>();
  // Statements are sent to DuckDB in batches (each call costs more than most of these small statements).
  let batch: string[] = [];
  const flush = async (what: string) => {
    if (!batch.length) return;
    const t0 = performance.now();
    const sql = batch.join(';\n');
    batch = [];
    await connection.run(sql);
    debug?.(`${((performance.now() - t0) / 1000).toFixed(3)} s  facts: ${what}`);
  };
  const temp = (name: string, select: string) => {
    temps.add(name);
    batch.push(`CREATE OR REPLACE TEMP TABLE ${name} AS ${select}`);
  };
  // The scope: events of the keys read so far (`_have_<key>`); `need` reads the events of keys not yet in it.
  // `_row` (the event's rowid) keeps an event matched again by a later pass from entering the scope twice.
  temp('_scope', 'SELECT rowid AS _row, * FROM events WHERE false');
  for (const key of SCOPE_KEYS) temp(`_have_${key}`, `SELECT ${key} AS k FROM events WHERE false`);
  const need = async (wanted: Partial<Record<ScopeKey, string>>, what: string) => {
    const keys = Object.keys(wanted) as ScopeKey[];
    for (const key of keys) {
      temp(
        `_need_${key}`,
        `SELECT DISTINCT k FROM (${wanted[key]!}) w(k) WHERE NOT EXISTS (SELECT 1 FROM _have_${key} h WHERE h.k IS NOT DISTINCT FROM w.k)`,
      );
      batch.push(`INSERT INTO _have_${key} SELECT k FROM _need_${key}`);
    }
    await flush(`${what}: keys`);
    const counts = (await connection.runAndReadAll(`SELECT ${keys.map((k) => `(SELECT count(*) FROM _need_${k}) AS "${k}", (SELECT count(*) FROM _need_${k} WHERE k IS NULL) AS "${k}_null"`).join(', ')}`)).getRowObjectsJS()[0] ?? {};
    const wantedKeys = keys.filter((k) => Number(counts[k] ?? 0) > 0);
    // Row ids first (a pass over the key columns only), then those rows whole: much less than filtering whole rows.
    const scans = wantedKeys.flatMap((k) => [
      `SELECT rowid AS r FROM events WHERE ${k} IN (SELECT k FROM _need_${k} WHERE k IS NOT NULL)`,
      ...(Number(counts[`${k}_null`] ?? 0) > 0 ? [`SELECT rowid AS r FROM events WHERE ${k} IS NULL AND ${NULL_SCOPE[k]}`] : []),
    ]);
    if (!scans.length) return;
    temp('_rows', scans.join(' UNION '));
    batch.push(
      'INSERT INTO _scope SELECT e.rowid, e.* FROM events e SEMI JOIN _rows ON e.rowid = _rows.r ANTI JOIN _scope ON e.rowid = _scope._row',
    );
    await flush(`${what}: scope`);
  };
  /**
   * Delete the rows of `keys` from the relation, then insert them computed over the scope; `narrow` restricts relations
   * it reads to the rows those keys can use (a condition on each, which reads it by its own name).
   */
  const recompute = (name: string, keys: string, columns: readonly string[], narrow: Record<string, string> = {}) => {
    const relation = byName.get(name);
    if (!relation) return;
    let body = relation.body.replace(/\bevents\b/g, '_scope');
    for (const [other, condition] of Object.entries(narrow)) body = body.replace(new RegExp(`\\b${other}\\b`, 'g'), `(SELECT * FROM ${other} WHERE ${condition})`);
    batch.push(`DELETE FROM ${name} WHERE ${keyIn(name, keys, columns)}`);
    batch.push(`INSERT INTO ${name} SELECT q.* FROM (${body}) q WHERE ${keyIn('q', keys, columns)}`);
  };
  try {
    // Everything the new events name, and the asks their codes belong to now.
    await need(
      {
        referral_code: `SELECT referral_code FROM ${fresh} WHERE referral_code IS NOT NULL UNION ALL SELECT k.referral_code FROM code_asks k JOIN ${fresh} f ON f.ask_id = k.ask_id`,
        ask_id: `SELECT ask_id FROM ${fresh} WHERE ask_id IS NOT NULL UNION ALL SELECT k.ask_id FROM code_asks k JOIN ${fresh} f ON f.referral_code = k.referral_code`,
        conversion_id: `SELECT conversion_id FROM ${fresh} WHERE event = ${CONVERSION}`,
        reward_id: `SELECT reward_id FROM ${fresh} WHERE event LIKE ${REWARD}`,
        order_id: `SELECT order_id FROM ${fresh} WHERE event = ${ORDER}`,
      },
      'new events',
    );

    // Orders, by customer and order id.
    temp('_k_orders', `SELECT DISTINCT subject_id, order_id FROM ${fresh} WHERE event = ${ORDER}`);
    recompute('order_days', '_k_orders', ['subject_id', 'order_id']);

    // A code's first ask: codes sent again; those whose ask changed (or that are new) move their later events.
    temp('_k_codes', `SELECT DISTINCT referral_code FROM ${fresh} WHERE event = ${SENT} AND referral_code IS NOT NULL`);
    temp('_o_codes', `SELECT * FROM code_asks WHERE referral_code IN (SELECT referral_code FROM _k_codes)`);
    recompute('code_asks', '_k_codes', ['referral_code']);
    temp(
      '_c_codes',
      `SELECT n.referral_code, o.referral_code IS NOT NULL AS known, o.ask_id AS old_ask, n.ask_id AS new_ask FROM code_asks n JOIN _k_codes k ON k.referral_code = n.referral_code
       LEFT JOIN _o_codes o ON o.referral_code = n.referral_code WHERE o.referral_code IS NULL OR o.ask_id IS DISTINCT FROM n.ask_id`,
    );

    // Conversions and rewards: their own new events, and those of the codes whose ask changed.
    temp(
      '_k_conversions',
      `SELECT conversion_id FROM ${fresh} WHERE event = ${CONVERSION}
       UNION SELECT conversion_id FROM _scope WHERE event = ${CONVERSION} AND referral_code IN (SELECT referral_code FROM _c_codes)`,
    );
    temp(
      '_k_rewards',
      `SELECT reward_id FROM ${fresh} WHERE event LIKE ${REWARD}
       UNION SELECT reward_id FROM _scope WHERE event LIKE ${REWARD} AND referral_code IN (SELECT referral_code FROM _c_codes)`,
    );
    await need(
      { conversion_id: 'SELECT conversion_id FROM _k_conversions', reward_id: 'SELECT reward_id FROM _k_rewards' },
      'moved conversions and rewards',
    );
    temp('_o_conversion_asks', `SELECT ask_id FROM conversions WHERE ${keyIn('conversions', '_k_conversions', ['conversion_id'])}`);
    const scopedCodes = { code_asks: 'referral_code IN (SELECT referral_code FROM _scope)' };
    recompute('conversions', '_k_conversions', ['conversion_id'], scopedCodes);
    recompute('rewards', '_k_rewards', ['reward_id'], scopedCodes);

    // Ask outcomes: one row per event, so the new events' rows are appended.
    const outcomes = byName.get('ask_outcomes');
    if (outcomes) batch.push(`INSERT INTO ask_outcomes ${outcomes.body.replace(/\bevents\b/g, fresh)}`);
    // Sent asks: those the new events send (again), from their rows of ask_outcomes (just appended to).
    temp('_k_sent', `SELECT DISTINCT ask_id FROM ${fresh} WHERE event = ${SENT}`);
    recompute('sent_asks', '_k_sent', ['ask_id'], { ask_outcomes: keyIn('ask_outcomes', '_k_sent', ['ask_id']) });

    // Per ask: its delivery and share events, the clicks on its codes, its conversions (before and after they moved).
    temp(
      '_k_asks',
      `SELECT ask_id FROM ${fresh} WHERE event IN ${AFTER_ASK}
       UNION SELECT k.ask_id FROM ${fresh} c JOIN code_asks k ON k.referral_code = c.referral_code WHERE c.event = ${CLICK}
       UNION SELECT old_ask FROM _c_codes WHERE known UNION SELECT new_ask FROM _c_codes
       UNION SELECT ask_id FROM _o_conversion_asks
       UNION SELECT c.ask_id FROM conversions c WHERE ${keyIn('c', '_k_conversions', ['conversion_id'])}`,
    );
    await need(
      {
        ask_id: 'SELECT ask_id FROM _k_asks',
        referral_code: `SELECT k.referral_code FROM code_asks k WHERE ${keyIn('k', '_k_asks', ['ask_id'])}`,
      },
      'asks',
    );
    recompute('ask_activity', '_k_asks', ['ask_id'], { code_asks: keyIn('code_asks', '_k_asks', ['ask_id']), conversions: keyIn('conversions', '_k_asks', ['ask_id']) });
    temp('_k_shares', `SELECT DISTINCT ask_id FROM ${fresh} WHERE event = ${SHARE}`);
    recompute('ask_shares', '_k_shares', ['ask_id']);
    await flush('asks');
  } finally {
    batch = [...temps].map((name) => `DROP TABLE IF EXISTS ${name}`);
    await flush('drop');
  }
}
