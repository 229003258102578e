-- (included by the cohort queries as {{> cohorts}}) Referred customers (a signup through a referral) and organic
-- customers (orders from the activity feed, signup date from their profile, never referred), with every purchase once.
referred AS (
  SELECT referee_id AS customer, min(day) AS signup_day FROM conversions
  WHERE conversion_type = 'signup' AND referee_id IS NOT NULL AND ({{campaign}} IS NULL OR campaign_id = {{campaign}})
  GROUP BY referee_id
),
all_referred AS (SELECT DISTINCT referee_id AS customer FROM conversions WHERE referee_id IS NOT NULL),
-- The campaign whose timezone counts a customer's order days: the campaign in scope; across campaigns, the campaign
-- that referred the customer; an organic customer across campaigns belongs to none, so UTC.
referral_zone AS (
  SELECT referee_id AS customer, min_by(campaign_id, occurred_at) AS campaign_id FROM conversions
  WHERE conversion_type = 'signup' AND referee_id IS NOT NULL GROUP BY referee_id
),
-- Each order once (order_days has a row per campaign zone, each with the order's first time, amount and currency), dated
-- in the counting campaign's zone, or in UTC: one pass over order_days, the counting zone's day picked by a CASE.
order_once AS (
  SELECT d.subject_id AS customer, d.order_id AS k,
    coalesce(min(CASE WHEN d.campaign_id = coalesce({{campaign}}, z.campaign_id) THEN d.day END), substr(min(d.occurred_at), 1, 10)) AS day,
    min(d.currency) AS currency, min(d.amount_minor) AS amount_minor, min(d.signup_date) AS signup_date
  FROM order_days d LEFT JOIN referral_zone z ON z.customer = d.subject_id
  GROUP BY d.subject_id, d.order_id
),
organic AS (
  SELECT o.customer, min(o.signup_date) AS signup_day FROM order_once o
  WHERE o.signup_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM all_referred r WHERE r.customer = o.customer)
  GROUP BY o.customer
),
-- Each person with their age in days at {{as_of}}: observable at a horizon of h days when age >= h.
people AS (
  SELECT kind, customer, signup_day, date_diff('day', CAST(signup_day AS DATE), CAST({{as_of}} AS DATE)) AS age FROM (
    SELECT 'referred' AS kind, customer, signup_day FROM referred
    UNION ALL SELECT 'organic' AS kind, customer, signup_day FROM organic
  ) p
),
buys AS (
  SELECT customer, k, min(day) AS day, min(currency) AS currency, min(amount_minor) AS amount_minor FROM (
    SELECT referee_id AS customer, coalesce(order_id, conversion_id) AS k, day, currency, amount_minor FROM conversions
    WHERE conversion_type = 'purchase' AND referee_id IS NOT NULL
    UNION ALL SELECT customer, k, day, currency, amount_minor FROM order_once
  ) u GROUP BY customer, k
),
horizons AS (SELECT 30 AS h UNION ALL SELECT 90 UNION ALL SELECT 180 UNION ALL SELECT 365),
-- Each purchase of a person, as days after their signup (a person is one kind: organic excludes every referred one).
offsets AS (
  SELECT p.kind, p.customer, p.signup_day, p.age, b.currency, b.amount_minor, date_diff('day', CAST(p.signup_day AS DATE), CAST(b.day AS DATE)) AS d
  FROM people p JOIN buys b ON b.customer = p.customer
)
