-- Referred versus organic customers by signup month: at 30/90/180/365 days after signup, how many can be observed
-- that long (signed up at least that many days before {{as_of}}) and how many of those bought in the 30 days up to it;
-- and their cumulative revenue per currency: purchases in the first h days after signup by the customers observable
-- that long (divide by `observable` for revenue per customer). One query for both, so the people and their purchases
-- are read once: rows with `currency` NULL are the counts, the others the revenue.
WITH {{> cohorts}},
-- People by signup month, kind and age (few groups), then at each horizon.
ages AS (SELECT substr(signup_day, 1, 7) AS cohort_month, kind, age, count(*) AS n FROM people GROUP BY 1, 2, 3),
counts AS (
  SELECT a.cohort_month, a.kind, h.h, sum(a.n) AS customers, sum(CASE WHEN a.age >= h.h THEN a.n ELSE 0 END) AS observable
  FROM ages a CROSS JOIN horizons h GROUP BY 1, 2, 3
),
-- Observable people who bought in the 30 days up to a horizon.
active AS (SELECT DISTINCT x.kind, x.customer, x.signup_day, h.h FROM offsets x JOIN horizons h ON x.d > h.h - 30 AND x.d <= h.h WHERE x.age >= h.h),
purchasing AS (SELECT substr(signup_day, 1, 7) AS cohort_month, kind, h, count(*) AS purchasing FROM active GROUP BY 1, 2, 3)
SELECT c.cohort_month, c.kind, c.h AS horizon, CAST(NULL AS VARCHAR) AS currency, c.customers, c.observable,
  coalesce(p.purchasing, 0) AS purchasing, NULL AS revenue_minor
FROM counts c LEFT JOIN purchasing p ON p.cohort_month = c.cohort_month AND p.kind = c.kind AND p.h = c.h
UNION ALL
SELECT substr(x.signup_day, 1, 7) AS cohort_month, x.kind, h.h AS horizon, x.currency, NULL, NULL, NULL, sum(x.amount_minor) AS revenue_minor
FROM offsets x JOIN horizons h ON x.d BETWEEN 0 AND h.h
WHERE x.age >= h.h
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4;
