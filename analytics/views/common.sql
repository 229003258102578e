-- Views every query shares, in SQL that DuckDB and Athena (Trino) both run. They read the engine's `events` and
-- `order_days` (views/duckdb-events.sql and views/duckdb.sql, views/athena.sql).

-- The ask a referral code's later events belong to: the code's first sent ask (a code is per advocate and campaign,
-- so a second milestone of the same campaign reuses it; its shares and clicks stay with the first ask).
CREATE OR REPLACE VIEW code_asks AS
WITH s AS (
  SELECT referral_code, ask_id, occurred_at FROM events WHERE event = 'referral.ask.sent' AND referral_code IS NOT NULL
),
f AS (SELECT referral_code, min(occurred_at) AS t FROM s GROUP BY referral_code)
SELECT s.referral_code, min(s.ask_id) AS ask_id FROM s JOIN f ON s.referral_code = f.referral_code AND s.occurred_at = f.t GROUP BY s.referral_code;

-- Conversions once each (events are at least once), with the ask they belong to.
CREATE OR REPLACE VIEW conversions AS
SELECT c.conversion_id, min(c.conversion_type) AS conversion_type, min(c.referral_code) AS referral_code, min(c.campaign_id) AS campaign_id,
  min(c.referee_id) AS referee_id, min(c.order_id) AS order_id, min(c.amount_minor) AS amount_minor, min(c.currency) AS currency,
  min(c.day) AS day, min(c.occurred_at) AS occurred_at, bool_or(c.demo) AS demo, min(k.ask_id) AS ask_id
FROM events c LEFT JOIN code_asks k ON k.referral_code = c.referral_code
WHERE c.event = 'referral.conversion.recorded'
GROUP BY c.conversion_id;

-- Reward state changes once each, with the ask they belong to.
CREATE OR REPLACE VIEW rewards AS
SELECT DISTINCT r.event, r.reward_id, r.campaign_id, r.beneficiary, r.amount_minor, r.currency, r.previous_state, r.day, k.ask_id
FROM events r LEFT JOIN code_asks k ON k.referral_code = r.referral_code
WHERE r.event LIKE 'referral.reward.%';
