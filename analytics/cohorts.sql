-- Referred versus organic customers by signup month: at 30/90/180/365 days after signup, how many can be observed
-- that long (signed up at least that many days before {{as_of}}) and how many of those bought in the 30 days up to it.
WITH {{> cohorts}},
per AS (
  SELECT o.kind, o.customer, o.signup_day, o.h, o.observable,
    max(CASE WHEN b.customer IS NOT NULL AND date_diff('day', CAST(o.signup_day AS DATE), CAST(b.day AS DATE)) > o.h - 30
      AND date_diff('day', CAST(o.signup_day AS DATE), CAST(b.day AS DATE)) <= o.h THEN 1 ELSE 0 END) AS active
  FROM observed o LEFT JOIN buys b ON b.customer = o.customer
  GROUP BY o.kind, o.customer, o.signup_day, o.h, o.observable
)
SELECT substr(signup_day, 1, 7) AS cohort_month, kind, h AS horizon, count(*) AS customers, sum(observable) AS observable,
  sum(CASE WHEN observable = 1 THEN active ELSE 0 END) AS purchasing
FROM per GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
