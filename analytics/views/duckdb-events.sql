-- The normalized `events` rows on DuckDB, read from local event log lines (one EventBridge envelope per line):
-- one SELECT, run as `CREATE TABLE events AS …` over a whole log or `INSERT INTO events …` over appended lines
-- (adapters/analytics/duckdb.ts, the report cache in adapters/analytics/event-cache.ts). The JSON reader parses
-- straight into typed columns (no per-row JSON functions); a field an event lacks is NULL; a line that is not JSON
-- is skipped. `day` is the event's date in its campaign's timezone ({{campaign_day}}: a CASE over the campaign ids).
-- Ids (ask, subject, referee, referral code, order, click, conversion, reward) are only ever compared, grouped and
-- counted, so they are kept as their 128-bit MD5 (md5_number: a UHUGEINT): joins and aggregates on integers instead of
-- strings, the same for every DuckDB version, and a collision among a log's ids is far less likely than a disk error.
-- A tie broken by min(id) (two first asks of one code in the same millisecond) may pick another ask than Athena.
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
),
e AS (
  SELECT
    regexp_replace(r.detail_type, '\.v[0-9]+$', '') AS event,
    r.detail.occurredAt AS occurred_at,
    CAST(r.detail.occurredAt AS TIMESTAMPTZ) AS occurred_ts,
    r.detail.campaignId AS campaign_id,
    md5_number(r.detail.askId) AS ask_id,
    md5_number(coalesce(r.detail.subjectId, r.detail.customerId)) AS subject_id,
    md5_number(r.detail.referralCode) AS referral_code,
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
    md5_number(r.detail.rewardId) AS reward_id,
    r.detail.beneficiary AS beneficiary,
    r.detail.previousState AS previous_state,
    -- Published events carry the referee's subject id (docs/privacy.md); refereeId only in logs written before that.
    md5_number(coalesce(r.detail.refereeSubjectId, r.detail.refereeId)) AS referee_id,
    md5_number(r.detail.orderId) AS order_id,
    md5_number(r.detail.clickId) AS click_id,
    md5_number(r.detail.conversionId) AS conversion_id,
    r.detail.signupDate AS signup_date,
    coalesce(r.detail.demo, false) AS demo
  FROM raw r
  WHERE r.detail_type IS NOT NULL AND r.detail.occurredAt IS NOT NULL
)
SELECT *, strftime({{campaign_day}}, '%Y-%m-%d') AS day FROM e
