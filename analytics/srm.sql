-- Sample ratio per campaign: asks assigned to the holdout versus assigned to be asked (sent, failed, or skipped for
-- the budget, which is checked after the holdout draw). The report compares it with the campaign's holdoutPercent.
-- Per campaign and ask first, which arm it had (cheaper than count(DISTINCT …) per campaign).
WITH {{> asks}},
per_ask AS (
  SELECT campaign_id, ask_id,
    max(CASE WHEN event = 'referral.ask.held_out' THEN 1 ELSE 0 END) AS held_out,
    max(CASE WHEN event IN ('referral.ask.sent', 'referral.ask.failed') OR (event = 'referral.ask.skipped' AND reason = 'budget_exhausted') THEN 1 ELSE 0 END) AS treated
  FROM ask_events GROUP BY campaign_id, ask_id
)
SELECT campaign_id,
  count(CASE WHEN held_out = 1 THEN ask_id END) AS held_out,
  count(CASE WHEN treated = 1 THEN ask_id END) AS treated
FROM per_ask GROUP BY campaign_id ORDER BY campaign_id;
