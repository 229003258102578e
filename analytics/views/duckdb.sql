-- The normalized `events` on DuckDB, from the local event log (one EventBridge envelope per line). The JSON reader
-- parses straight into typed columns (no per-row JSON functions); a field an event lacks is NULL. `day` is the
-- event's date in its campaign's timezone ({{campaign_day}}: a CASE over the campaign ids), computed in a view so only
-- the queries that read it pay for it.
CREATE OR REPLACE TABLE events_raw AS
WITH raw AS (
  SELECT "detail-type" AS detail_type, detail
  FROM read_json('{{file}}', format = 'newline_delimited', ignore_errors = true, columns = {
    'detail-type': 'VARCHAR',
    'detail': 'STRUCT(occurredAt VARCHAR, demo BOOLEAN, askId VARCHAR, campaignId VARCHAR, customerId VARCHAR, subjectId VARCHAR,
      referralCode VARCHAR, variantId VARCHAR, channel VARCHAR, milestoneKind VARCHAR, milestoneOn VARCHAR, tenureTier VARCHAR,
      cohortMonth VARCHAR, runDate VARCHAR, reason VARCHAR, network VARCHAR, status VARCHAR, "type" VARCHAR, amountMinor BIGINT,
      currency VARCHAR, rewardId VARCHAR, beneficiary VARCHAR, previousState VARCHAR, refereeId VARCHAR, refereeSubjectId VARCHAR, orderId VARCHAR,
      clickId VARCHAR, conversionId VARCHAR, signupDate VARCHAR)'
  })
)
SELECT
  regexp_replace(r.detail_type, '\.v[0-9]+$', '') AS event,
  r.detail.occurredAt AS occurred_at,
  CAST(r.detail.occurredAt AS TIMESTAMPTZ) AS occurred_ts,
  r.detail.campaignId AS campaign_id,
  r.detail.askId AS ask_id,
  coalesce(r.detail.subjectId, r.detail.customerId) AS subject_id,
  r.detail.referralCode AS referral_code,
  r.detail.variantId AS variant_id,
  r.detail.channel AS channel,
  r.detail.milestoneKind AS milestone_kind,
  r.detail.milestoneOn AS milestone_on,
  r.detail.tenureTier AS tenure_tier,
  r.detail.cohortMonth AS cohort_month,
  r.detail.runDate AS run_date,
  r.detail.reason AS reason,
  r.detail.network AS network,
  r.detail.status AS status,
  r.detail."type" AS conversion_type,
  r.detail.amountMinor AS amount_minor,
  r.detail.currency AS currency,
  r.detail.rewardId AS reward_id,
  r.detail.beneficiary AS beneficiary,
  r.detail.previousState AS previous_state,
  -- Published events carry the referee's subject id (docs/privacy.md); refereeId only in logs written before that.
  coalesce(r.detail.refereeSubjectId, r.detail.refereeId) AS referee_id,
  r.detail.orderId AS order_id,
  r.detail.clickId AS click_id,
  r.detail.conversionId AS conversion_id,
  r.detail.signupDate AS signup_date,
  coalesce(r.detail.demo, false) AS demo
FROM raw r
WHERE r.detail_type IS NOT NULL AND r.detail.occurredAt IS NOT NULL;

CREATE OR REPLACE VIEW events AS
SELECT *, strftime({{campaign_day}}, '%Y-%m-%d') AS day FROM events_raw;

-- Orders (customer activity) with their date in each campaign's timezone: the holdout window counts days there.
CREATE OR REPLACE TABLE order_days AS
WITH zones(campaign_id, tz) AS (VALUES {{campaign_zones}}),
orders AS (
  SELECT subject_id, order_id, min(occurred_at) AS occurred_at, min(occurred_ts) AS occurred_ts, min(amount_minor) AS amount_minor, min(currency) AS currency, min(signup_date) AS signup_date
  FROM events_raw WHERE event = 'customer.order.completed' GROUP BY subject_id, order_id
)
SELECT o.subject_id, o.order_id, o.amount_minor, o.currency, o.signup_date, o.occurred_ts, z.campaign_id,
  strftime(timezone(z.tz, CAST(o.occurred_at AS TIMESTAMPTZ)), '%Y-%m-%d') AS day
FROM orders o CROSS JOIN zones z;
