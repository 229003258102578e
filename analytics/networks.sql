-- Shares by network, per group.
WITH {{> asks}}
SELECT s.grp, e.network, sum(e.shares) AS shares
FROM sent s JOIN ask_shares e ON e.ask_id = s.ask_id
GROUP BY s.grp, e.network
ORDER BY s.grp, shares DESC, e.network;
