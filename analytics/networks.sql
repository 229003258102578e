-- Shares by network, per group.
WITH {{> asks}}
SELECT s.grp, e.network, count(*) AS shares
FROM sent s JOIN events e ON e.ask_id = s.ask_id AND e.event = 'referral.share.recorded'
GROUP BY s.grp, e.network
ORDER BY s.grp, shares DESC, e.network;
