-- Rewards per group and currency: earned, held, approved, issued, voided (clawbacks: voided after issue), overrun, and
-- the outstanding liability: rewards earned, held or approved but neither issued nor voided yet (count and amount).
WITH {{> asks}},
rw AS (
  SELECT s.grp, r.event, r.reward_id, r.amount_minor, r.currency, r.previous_state
  FROM sent s JOIN rewards r ON r.ask_id = s.ask_id
  WHERE r.currency IS NOT NULL
),
open_rewards AS (
  SELECT grp, currency, reward_id, max(amount_minor) AS amount_minor
  FROM rw
  GROUP BY grp, currency, reward_id
  HAVING max(CASE WHEN event IN ('referral.reward.earned', 'referral.reward.held', 'referral.reward.approved') THEN 1 ELSE 0 END) = 1
    AND max(CASE WHEN event IN ('referral.reward.issued', 'referral.reward.voided') THEN 1 ELSE 0 END) = 0
),
outstanding AS (
  SELECT grp, currency, count(*) AS outstanding, sum(coalesce(amount_minor, 0)) AS outstanding_minor
  FROM open_rewards GROUP BY grp, currency
),
totals AS (
  SELECT grp, currency,
    sum(CASE WHEN event = 'referral.reward.earned' THEN 1 ELSE 0 END) AS earned,
    sum(CASE WHEN event = 'referral.reward.earned' THEN amount_minor ELSE 0 END) AS earned_minor,
    sum(CASE WHEN event = 'referral.reward.held' THEN 1 ELSE 0 END) AS held,
    sum(CASE WHEN event = 'referral.reward.approved' THEN 1 ELSE 0 END) AS approved,
    sum(CASE WHEN event = 'referral.reward.issued' THEN 1 ELSE 0 END) AS issued,
    sum(CASE WHEN event = 'referral.reward.issued' THEN amount_minor ELSE 0 END) AS issued_minor,
    sum(CASE WHEN event = 'referral.reward.voided' THEN 1 ELSE 0 END) AS voided,
    sum(CASE WHEN event = 'referral.reward.voided' AND previous_state = 'issued' THEN coalesce(amount_minor, 0) ELSE 0 END) AS clawback_minor,
    sum(CASE WHEN event = 'referral.reward.overrun' THEN 1 ELSE 0 END) AS overrun
  FROM rw
  GROUP BY grp, currency
)
SELECT t.grp, t.currency, t.earned, t.earned_minor, t.held, t.approved, t.issued, t.issued_minor, t.voided, t.clawback_minor, t.overrun,
  coalesce(o.outstanding, 0) AS outstanding, coalesce(o.outstanding_minor, 0) AS outstanding_minor
FROM totals t LEFT JOIN outstanding o ON o.grp = t.grp AND o.currency = t.currency
ORDER BY t.grp, t.currency;
