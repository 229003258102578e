-- Cumulative revenue by signup month, kind, horizon and currency: purchases in the first h days after signup, by the
-- customers observable that long (divide by `observable` from cohorts.sql for revenue per customer).
WITH {{> cohorts}}
SELECT substr(x.signup_day, 1, 7) AS cohort_month, x.kind, h.h AS horizon, x.currency, sum(x.amount_minor) AS revenue_minor
FROM offsets x JOIN horizons h ON x.d BETWEEN 0 AND h.h
WHERE x.age >= h.h
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
