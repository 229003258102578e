-- (included by the queries as {{> asks}}) The asks in scope: campaign, run dates, and the grouping dimension `grp`.
ask_events AS (
  SELECT event, ask_id, subject_id, campaign_id, referral_code, channel, variant_id, milestone_kind, milestone_on, reason, run_date, occurred_at, occurred_ts,
    coalesce(CAST({{dim}} AS VARCHAR), '(none)') AS grp
  FROM ask_outcomes
  WHERE ({{campaign}} IS NULL OR campaign_id = {{campaign}})
    AND run_date BETWEEN {{from}} AND {{to}}
),
-- Sent asks, one row each: an ask sent once straight from sent_asks (its one send in scope or not), one sent more than
-- once from its sends in scope.
sent AS (
  SELECT ask_id, subject_id, campaign_id, referral_code, channel, milestone_on, coalesce(CAST({{dim}} AS VARCHAR), '(none)') AS grp
  FROM sent_asks
  WHERE sends = 1 AND ask_id IS NOT NULL AND ({{campaign}} IS NULL OR campaign_id = {{campaign}}) AND run_date BETWEEN {{from}} AND {{to}}
  UNION ALL
  SELECT ask_id, min(subject_id) AS subject_id, min(campaign_id) AS campaign_id, min(referral_code) AS referral_code, min(channel) AS channel, min(milestone_on) AS milestone_on, min(grp) AS grp
  FROM ask_events WHERE event = 'referral.ask.sent' AND (ask_id IN (SELECT ask_id FROM sent_asks WHERE sends > 1) OR ask_id IS NULL)
  GROUP BY ask_id
)
