-- Skipped asks by reason, per group.
WITH {{> asks}}
SELECT grp, reason, count(DISTINCT ask_id) AS asks
FROM ask_events WHERE event = 'referral.ask.skipped'
GROUP BY grp, reason
ORDER BY grp, asks DESC, reason;
