-- Views every query shares, in SQL that DuckDB and Athena (Trino) both run. They read the engine's `events`
-- (views/duckdb-events.sql, views/athena.sql) and each other, in this order. On Athena they stay views over the raw
-- events; locally each is a table, kept in the report cache and brought up to date as lines are appended
-- (adapters/analytics/fact-tables.ts recomputes only the rows whose key the new lines touch: the key of each is named
-- in its comment, and a row must depend only on events of its key and on the tables above it).

-- The ask a referral code's later events belong to: the code's first sent ask (a code is per advocate and campaign,
-- so a second milestone of the same campaign reuses it; its shares and clicks stay with the first ask). Key: referral_code.
CREATE OR REPLACE VIEW code_asks AS
WITH s AS (
  SELECT referral_code, ask_id, occurred_at FROM events WHERE event = 'referral.ask.sent' AND referral_code IS NOT NULL
),
f AS (SELECT referral_code, min(occurred_at) AS t FROM s GROUP BY referral_code)
SELECT s.referral_code, min(s.ask_id) AS ask_id FROM s JOIN f ON s.referral_code = f.referral_code AND s.occurred_at = f.t GROUP BY s.referral_code;

-- Conversions once each (events are at least once), with the ask they belong to. Key: conversion_id.
CREATE OR REPLACE VIEW conversions AS
SELECT c.conversion_id, min(c.conversion_type) AS conversion_type, min(c.referral_code) AS referral_code, min(c.campaign_id) AS campaign_id,
  min(c.referee_id) AS referee_id, min(c.order_id) AS order_id, min(c.amount_minor) AS amount_minor, min(c.currency) AS currency,
  min(c.day) AS day, min(c.occurred_at) AS occurred_at, bool_or(c.demo) AS demo, min(k.ask_id) AS ask_id
FROM events c LEFT JOIN code_asks k ON k.referral_code = c.referral_code
WHERE c.event = 'referral.conversion.recorded'
GROUP BY c.conversion_id;

-- Reward state changes once each, with the ask they belong to. Key: reward_id.
CREATE OR REPLACE VIEW rewards AS
SELECT DISTINCT r.event, r.reward_id, r.campaign_id, r.beneficiary, r.amount_minor, r.currency, r.previous_state, r.day, k.ask_id
FROM events r LEFT JOIN code_asks k ON k.referral_code = r.referral_code
WHERE r.event LIKE 'referral.reward.%';

-- The ask outcomes (one row per event: sent, held out, skipped, deferred, failed) with every column a grouping
-- dimension (core/analytics/query.ts) or a query reads: what analytics/asks.cte.sql scopes and groups. Append-only.
CREATE OR REPLACE VIEW ask_outcomes AS
SELECT event, ask_id, subject_id, campaign_id, referral_code, channel, variant_id, milestone_kind, milestone_on, tenure_tier,
  cohort_month, reason, run_date, occurred_at, occurred_ts
FROM events
WHERE event IN ('referral.ask.sent', 'referral.ask.held_out', 'referral.ask.skipped', 'referral.ask.deferred', 'referral.ask.failed');

-- Each sent ask once, with its send's columns (those analytics/asks.cte.sql's `sent` reads and every grouping
-- dimension) and its number of sends: an ask sent once (nearly all) is read from here as it is, without grouping its
-- events again in every query; one sent more than once (a repeated event) is grouped from ask_outcomes. Key: ask_id.
CREATE OR REPLACE VIEW sent_asks AS
SELECT ask_id, count(*) AS sends, min(subject_id) AS subject_id, min(campaign_id) AS campaign_id, min(referral_code) AS referral_code,
  min(channel) AS channel, min(variant_id) AS variant_id, min(milestone_kind) AS milestone_kind, min(milestone_on) AS milestone_on,
  min(tenure_tier) AS tenure_tier, min(cohort_month) AS cohort_month, min(run_date) AS run_date, min(occurred_ts) AS occurred_ts
FROM ask_outcomes WHERE event = 'referral.ask.sent' GROUP BY ask_id;

-- What happened after each ask (the funnel's later steps): delivery states, share-page views, shares, distinct clicks
-- on its code, and its conversions (signups, first purchases by referee, purchases, refunds). Key: ask_id.
CREATE OR REPLACE VIEW ask_activity AS
WITH per_source AS (
  SELECT ask_id,
    max(CASE WHEN event = 'referral.delivery.recorded' AND status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
    max(CASE WHEN event = 'referral.delivery.recorded' AND status = 'bounced' THEN 1 ELSE 0 END) AS bounced,
    max(CASE WHEN event = 'referral.delivery.recorded' AND status = 'complained' THEN 1 ELSE 0 END) AS complained,
    max(CASE WHEN event = 'referral.delivery.recorded' AND status = 'opened' THEN 1 ELSE 0 END) AS opened,
    count(CASE WHEN event = 'referral.share.viewed' THEN 1 END) AS share_views,
    count(CASE WHEN event = 'referral.share.recorded' THEN 1 END) AS shares,
    0 AS clicks, 0 AS signups, 0 AS first_purchases, 0 AS purchases, 0 AS refunds
  FROM events WHERE event IN ('referral.delivery.recorded', 'referral.share.viewed', 'referral.share.recorded') GROUP BY ask_id
  UNION ALL
  SELECT k.ask_id, 0, 0, 0, 0, 0, 0, count(DISTINCT c.click_id), 0, 0, 0, 0
  FROM events c JOIN code_asks k ON k.referral_code = c.referral_code
  WHERE c.event = 'referral.click.recorded' GROUP BY k.ask_id
  UNION ALL
  SELECT ask_id, 0, 0, 0, 0, 0, 0, 0,
    count(DISTINCT CASE WHEN conversion_type = 'signup' THEN conversion_id END),
    count(DISTINCT CASE WHEN conversion_type = 'purchase' THEN coalesce(referee_id, conversion_id) END),
    count(DISTINCT CASE WHEN conversion_type = 'purchase' THEN conversion_id END),
    count(DISTINCT CASE WHEN conversion_type = 'refund' THEN conversion_id END)
  FROM conversions WHERE ask_id IS NOT NULL GROUP BY ask_id
)
-- Each source has at most one row per ask and leaves the others' columns 0, so max() takes each source's count (and
-- keeps the counts' BIGINT type: DuckDB scans its HUGEINT sums many times slower).
SELECT ask_id, max(delivered) AS delivered, max(bounced) AS bounced, max(complained) AS complained, max(opened) AS opened,
  max(share_views) AS share_views, max(shares) AS shares, max(clicks) AS clicks, max(signups) AS signups,
  max(first_purchases) AS first_purchases, max(purchases) AS purchases, max(refunds) AS refunds
FROM per_source GROUP BY ask_id;

-- Shares per ask and network. Key: ask_id.
CREATE OR REPLACE VIEW ask_shares AS
SELECT ask_id, network, count(*) AS shares FROM events WHERE event = 'referral.share.recorded' GROUP BY ask_id, network;
