-- Referred versus organic customers by signup month: at 30/90/180/365 days after signup, how many can be observed
-- that long (signed up at least that many days before {{as_of}}) and how many of those bought in the 30 days up to it.
WITH {{> cohorts}},
-- Who bought in the 30 days up to each horizon.
active AS (
  SELECT DISTINCT x.kind, x.customer, h.h FROM offsets x JOIN horizons h ON x.d > h.h - 30 AND x.d <= h.h
)
SELECT substr(o.signup_day, 1, 7) AS cohort_month, o.kind, o.h AS horizon, count(*) AS customers, sum(o.observable) AS observable,
  sum(CASE WHEN o.observable = 1 AND a.customer IS NOT NULL THEN 1 ELSE 0 END) AS purchasing
FROM observed o LEFT JOIN active a ON a.kind = o.kind AND a.customer = o.customer AND a.h = o.h
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
