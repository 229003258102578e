-- Holdout revenue per arm and currency: the customer's own orders in the {{window_days}} days after the milestone
-- (sum and sum of squares over customers with revenue; customers without any count as zero in the report).
WITH {{> asks}},
arms AS (
  SELECT ask_id, min(subject_id) AS subject_id, min(campaign_id) AS campaign_id, min(milestone_on) AS milestone_on, min(occurred_ts) AS decided_ts,
    CASE WHEN max(CASE WHEN event = 'referral.ask.sent' THEN 1 ELSE 0 END) = 1 THEN 'asked' ELSE 'held_out' END AS arm
  FROM ask_events WHERE event IN ('referral.ask.sent', 'referral.ask.held_out') GROUP BY ask_id
),
rev AS (
  SELECT a.arm, a.ask_id, o.currency, CAST(sum(o.amount_minor) AS DOUBLE) AS amount
  FROM arms a JOIN order_days o ON o.subject_id = a.subject_id AND o.campaign_id = a.campaign_id
  WHERE o.occurred_ts > a.decided_ts AND date_diff('day', CAST(a.milestone_on AS DATE), CAST(o.day AS DATE)) <= {{window_days}}
  GROUP BY a.arm, a.ask_id, o.currency
)
SELECT arm, currency, count(*) AS customers_with_revenue, sum(amount) AS revenue_minor, sum(amount * amount) AS revenue_sq
FROM rev GROUP BY arm, currency ORDER BY arm, currency;
