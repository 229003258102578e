-- (included by the queries as {{> asks}}) The asks in scope: campaign, run dates, and the grouping dimension `grp`.
ask_events AS (
  SELECT event, ask_id, subject_id, campaign_id, referral_code, channel, variant_id, milestone_kind, milestone_on, reason, run_date, occurred_at, occurred_ts,
    coalesce(CAST({{dim}} AS VARCHAR), '(none)') AS grp
  FROM ask_outcomes
  WHERE ({{campaign}} IS NULL OR campaign_id = {{campaign}})
    AND run_date BETWEEN {{from}} AND {{to}}
),
sent AS (
  SELECT ask_id, min(subject_id) AS subject_id, min(campaign_id) AS campaign_id, min(referral_code) AS referral_code, min(channel) AS channel, min(milestone_on) AS milestone_on, min(grp) AS grp
  FROM ask_events WHERE event = 'referral.ask.sent' GROUP BY ask_id
)
