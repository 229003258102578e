-- Built on DuckDB after `events` (views/duckdb-events.sql) for one report, before the shared views (views/common.sql).

-- Orders (customer activity) with their date in each campaign's timezone: the holdout window counts days there.
CREATE OR REPLACE TEMP TABLE order_days AS
WITH zones(campaign_id, tz) AS (VALUES {{campaign_zones}}),
orders AS (
  SELECT subject_id, order_id, min(occurred_at) AS occurred_at, min(occurred_ts) AS occurred_ts, min(amount_minor) AS amount_minor, min(currency) AS currency, min(signup_date) AS signup_date
  FROM events WHERE event = 'customer.order.completed' GROUP BY subject_id, order_id
)
SELECT o.subject_id, o.order_id, o.amount_minor, o.currency, o.signup_date, o.occurred_ts, z.campaign_id,
  strftime(timezone(z.tz, CAST(o.occurred_at AS TIMESTAMPTZ)), '%Y-%m-%d') AS day
FROM orders o CROSS JOIN zones z;
