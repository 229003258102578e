-- Messages sent per group and channel (their cost is priced in the report from configuration).
WITH {{> asks}}
SELECT grp, channel, count(*) AS messages
FROM sent
GROUP BY grp, channel
ORDER BY grp, channel;
