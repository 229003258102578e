-- Holdout: asked versus held-out asks (one per customer and milestone) of the same campaigns and run dates, over the
-- {{window_days}} days after the milestone: referred signups and the customer's own orders placed after the decision, as per-arm sums and sums of
-- squares (the report turns them into means, lifts and 95% intervals); and the revenue of those orders per arm and
-- currency (sum and sum of squares over the customers with revenue; customers without any count as zero in the report).
-- One query for both, so the arms and their orders are read once: rows with `currency` NULL are the per-arm sums
-- (customers, signups, orders), the others the revenue (customers = customers with revenue in that currency).
WITH {{> asks}},
-- Each ask's arm: an ask sent once and never held out straight from sent_asks, any other (held out, sent more than
-- once) from its sends and holdout events in scope.
held AS (SELECT ask_id FROM ask_outcomes WHERE event = 'referral.ask.held_out'),
arms AS (
  SELECT ask_id, subject_id, campaign_id, milestone_on, occurred_ts AS decided_ts, 'asked' AS arm
  FROM sent_asks
  WHERE sends = 1 AND ask_id IS NOT NULL AND ask_id NOT IN (SELECT ask_id FROM held WHERE ask_id IS NOT NULL)
    AND ({{campaign}} IS NULL OR campaign_id = {{campaign}}) AND run_date BETWEEN {{from}} AND {{to}}
  UNION ALL
  SELECT ask_id, min(subject_id) AS subject_id, min(campaign_id) AS campaign_id, min(milestone_on) AS milestone_on, min(occurred_ts) AS decided_ts,
    CASE WHEN max(CASE WHEN event = 'referral.ask.sent' THEN 1 ELSE 0 END) = 1 THEN 'asked' ELSE 'held_out' END AS arm
  FROM ask_events
  WHERE event IN ('referral.ask.sent', 'referral.ask.held_out')
    AND (ask_id IN (SELECT ask_id FROM held) OR ask_id IN (SELECT ask_id FROM sent_asks WHERE sends > 1) OR ask_id IS NULL)
  GROUP BY ask_id
),
sig AS (
  SELECT a.ask_id, count(DISTINCT coalesce(c.referee_id, c.conversion_id)) AS n
  FROM arms a JOIN conversions c ON c.ask_id = a.ask_id AND c.conversion_type = 'signup'
  WHERE date_diff('day', CAST(a.milestone_on AS DATE), CAST(c.day AS DATE)) BETWEEN 0 AND {{window_days}}
  GROUP BY a.ask_id
),
-- The customer's orders after the decision and within the window, per ask and currency.
ask_orders AS (
  SELECT a.arm, a.ask_id, o.currency, count(*) AS n, CAST(sum(o.amount_minor) AS DOUBLE) AS amount
  FROM arms a JOIN order_days o ON o.subject_id = a.subject_id AND o.campaign_id = a.campaign_id
  WHERE o.occurred_ts > a.decided_ts AND date_diff('day', CAST(a.milestone_on AS DATE), CAST(o.day AS DATE)) <= {{window_days}}
  GROUP BY a.arm, a.ask_id, o.currency
),
ord AS (SELECT ask_id, sum(n) AS n FROM ask_orders GROUP BY ask_id),
per AS (
  SELECT a.arm, CAST(coalesce(s.n, 0) AS DOUBLE) AS signups, CAST(coalesce(o.n, 0) AS DOUBLE) AS orders
  FROM arms a LEFT JOIN sig s ON s.ask_id = a.ask_id LEFT JOIN ord o ON o.ask_id = a.ask_id
)
SELECT arm, CAST(NULL AS VARCHAR) AS currency, count(*) AS customers, sum(signups) AS signups, sum(signups * signups) AS signups_sq,
  sum(orders) AS orders, sum(orders * orders) AS orders_sq, CAST(NULL AS DOUBLE) AS revenue_minor, CAST(NULL AS DOUBLE) AS revenue_sq
FROM per GROUP BY arm
UNION ALL
SELECT arm, currency, count(*) AS customers, NULL, NULL, NULL, NULL, sum(amount) AS revenue_minor, sum(amount * amount) AS revenue_sq
FROM ask_orders GROUP BY arm, currency
ORDER BY arm, currency;
