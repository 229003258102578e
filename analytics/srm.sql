-- Sample ratio per campaign: asks assigned to the holdout versus assigned to be asked (sent, failed, or skipped for
-- the budget, which is checked after the holdout draw). The report compares it with the campaign's holdoutPercent.
WITH {{> asks}}
SELECT campaign_id,
  count(DISTINCT CASE WHEN event = 'referral.ask.held_out' THEN ask_id END) AS held_out,
  count(DISTINCT CASE WHEN event IN ('referral.ask.sent', 'referral.ask.failed') OR (event = 'referral.ask.skipped' AND reason = 'budget_exhausted') THEN ask_id END) AS treated
FROM ask_events GROUP BY campaign_id ORDER BY campaign_id;
