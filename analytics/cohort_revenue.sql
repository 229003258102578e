-- Cumulative revenue by signup month, kind, horizon and currency: purchases in the first h days after signup, by the
-- customers observable that long (divide by `observable` from cohorts.sql for revenue per customer).
WITH {{> cohorts}}
SELECT substr(o.signup_day, 1, 7) AS cohort_month, o.kind, o.h AS horizon, x.currency, sum(x.amount_minor) AS revenue_minor
FROM observed o JOIN offsets x ON x.kind = o.kind AND x.customer = o.customer
WHERE o.observable = 1 AND x.d BETWEEN 0 AND o.h
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
