-- On DuckDB over `events` (views/duckdb-events.sql), before the shared views (views/common.sql); like them a table
-- locally (kept in the report cache, adapters/analytics/fact-tables.ts).

-- Orders (customer activity) with their date in each campaign's timezone: the holdout window counts days there; one
-- row per order and campaign zone. Key: (subject_id, order_id).
CREATE OR REPLACE VIEW order_days AS
WITH zones(campaign_id, tz) AS (VALUES {{campaign_zones}}),
orders AS (
  SELECT subject_id, order_id, min(occurred_at) AS occurred_at, min(occurred_ts) AS occurred_ts, min(amount_minor) AS amount_minor, min(currency) AS currency, min(signup_date) AS signup_date
  FROM events WHERE event = 'customer.order.completed' GROUP BY subject_id, order_id
)
SELECT o.subject_id, o.order_id, o.amount_minor, o.currency, o.signup_date, o.occurred_at, o.occurred_ts, z.campaign_id,
  strftime(timezone(z.tz, CAST(o.occurred_at AS TIMESTAMPTZ)), '%Y-%m-%d') AS day
FROM orders o CROSS JOIN zones z;
