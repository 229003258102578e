-- Return per group and currency: purchases by referred customers (net of refunds), from the conversions.
WITH {{> asks}}
SELECT s.grp, c.currency,
  sum(CASE WHEN c.conversion_type = 'purchase' THEN c.amount_minor ELSE 0 END) AS purchase_minor,
  sum(CASE WHEN c.conversion_type = 'refund' THEN c.amount_minor ELSE 0 END) AS refund_minor
FROM sent s JOIN conversions c ON c.ask_id = s.ask_id
WHERE c.currency IS NOT NULL
GROUP BY s.grp, c.currency
ORDER BY s.grp, c.currency;
