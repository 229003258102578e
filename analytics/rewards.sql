-- Rewards per group and currency: earned, held, approved, issued, voided (clawbacks: voided after issue), overrun.
WITH {{> asks}}
SELECT s.grp, r.currency,
  sum(CASE WHEN r.event = 'referral.reward.earned' THEN 1 ELSE 0 END) AS earned,
  sum(CASE WHEN r.event = 'referral.reward.earned' THEN r.amount_minor ELSE 0 END) AS earned_minor,
  sum(CASE WHEN r.event = 'referral.reward.held' THEN 1 ELSE 0 END) AS held,
  sum(CASE WHEN r.event = 'referral.reward.approved' THEN 1 ELSE 0 END) AS approved,
  sum(CASE WHEN r.event = 'referral.reward.issued' THEN 1 ELSE 0 END) AS issued,
  sum(CASE WHEN r.event = 'referral.reward.issued' THEN r.amount_minor ELSE 0 END) AS issued_minor,
  sum(CASE WHEN r.event = 'referral.reward.voided' THEN 1 ELSE 0 END) AS voided,
  sum(CASE WHEN r.event = 'referral.reward.voided' AND r.previous_state = 'issued' THEN coalesce(r.amount_minor, 0) ELSE 0 END) AS clawback_minor,
  sum(CASE WHEN r.event = 'referral.reward.overrun' THEN 1 ELSE 0 END) AS overrun
FROM sent s JOIN rewards r ON r.ask_id = s.ask_id
WHERE r.currency IS NOT NULL
GROUP BY s.grp, r.currency
ORDER BY s.grp, r.currency;
