-- Cost and return by week (Monday, campaign timezone) and currency, for the ROI-over-time chart.
WITH {{> asks}},
flows AS (
  SELECT r.day, r.currency, CASE WHEN r.event = 'referral.reward.issued' THEN r.amount_minor WHEN r.event = 'referral.reward.voided' AND r.previous_state = 'issued' THEN -r.amount_minor ELSE 0 END AS cost_minor, 0 AS return_minor
  FROM sent s JOIN rewards r ON r.ask_id = s.ask_id WHERE r.currency IS NOT NULL
  UNION ALL
  SELECT c.day, c.currency, 0 AS cost_minor, CASE WHEN c.conversion_type = 'purchase' THEN c.amount_minor WHEN c.conversion_type = 'refund' THEN -c.amount_minor ELSE 0 END AS return_minor
  FROM sent s JOIN conversions c ON c.ask_id = s.ask_id WHERE c.currency IS NOT NULL
)
SELECT CAST(CAST(date_trunc('week', CAST(day AS DATE)) AS DATE) AS VARCHAR) AS week, currency, sum(cost_minor) AS cost_minor, sum(return_minor) AS return_minor
FROM flows
GROUP BY 1, 2
ORDER BY 1, 2;
