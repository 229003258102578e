-- The normalized `events` and `order_days` views on Athena, over the Glue table that Firehose fills from the bus
-- ({{table}}: JSON envelopes in S3, partitioned by dt=YYYY-MM-DD, gzip; infra/analytics-stack.ts). Same columns as
-- views/duckdb-events.sql, so every query in analytics/*.sql runs unchanged.
CREATE OR REPLACE VIEW events AS
WITH zones(campaign_id, tz) AS (VALUES {{campaign_zones}})
SELECT
  regexp_replace(e.detail_type, '\.v[0-9]+$', '') AS event,
  e.detail.occurredat AS occurred_at,
  from_iso8601_timestamp(e.detail.occurredat) AS occurred_ts,
  date_format(from_iso8601_timestamp(e.detail.occurredat) AT TIME ZONE coalesce(z.tz, 'UTC'), '%Y-%m-%d') AS day,
  e.detail.campaignid AS campaign_id,
  e.detail.askid AS ask_id,
  coalesce(e.detail.subjectid, e.detail.customerid) AS subject_id,
  e.detail.referralcode AS referral_code,
  e.detail.variantid AS variant_id,
  e.detail.channel AS channel,
  e.detail.milestonekind AS milestone_kind,
  e.detail.milestoneon AS milestone_on,
  e.detail.tenuretier AS tenure_tier,
  e.detail.cohortmonth AS cohort_month,
  e.detail.rundate AS run_date,
  e.detail.reason AS reason,
  e.detail.network AS network,
  e.detail.status AS status,
  e.detail.type AS conversion_type,
  e.detail.amountminor AS amount_minor,
  e.detail.currency AS currency,
  e.detail.rewardid AS reward_id,
  e.detail.beneficiary AS beneficiary,
  e.detail.previousstate AS previous_state,
  -- Published events carry the referee's subject id (docs/privacy.md); the Glue table needs the field.
  e.detail.refereesubjectid AS referee_id,
  e.detail.orderid AS order_id,
  e.detail.clickid AS click_id,
  e.detail.conversionid AS conversion_id,
  e.detail.signupdate AS signup_date,
  coalesce(e.detail.demo, false) AS demo
FROM {{table}} e
LEFT JOIN zones z ON z.campaign_id = e.detail.campaignid
WHERE e.detail_type IS NOT NULL AND e.detail.occurredat IS NOT NULL;

CREATE OR REPLACE VIEW order_days AS
WITH zones(campaign_id, tz) AS (VALUES {{campaign_zones}}),
orders AS (
  SELECT subject_id, order_id, min(occurred_at) AS occurred_at, min(occurred_ts) AS occurred_ts, min(amount_minor) AS amount_minor, min(currency) AS currency, min(signup_date) AS signup_date
  FROM events WHERE event = 'customer.order.completed' GROUP BY subject_id, order_id
)
SELECT o.subject_id, o.order_id, o.amount_minor, o.currency, o.signup_date, o.occurred_at, o.occurred_ts, z.campaign_id,
  date_format(from_iso8601_timestamp(o.occurred_at) AT TIME ZONE z.tz, '%Y-%m-%d') AS day
FROM orders o CROSS JOIN zones z;
