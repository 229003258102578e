-- The funnel per group: asks by outcome, delivery, share-page visits, shares, clicks, signups, first purchases.
-- Counts only; the report names each rate's denominator. Later events reach their ask by ask id or referral code
-- (views/common.sql: ask_activity).
-- A deferred ask is retried by a later run: once it was sent, skipped, failed or held out it counts only as that
-- outcome; `deferred` counts the asks still waiting (no other outcome in scope).
WITH {{> asks}},
-- Per group and ask, which outcomes other than sent it had (a count of asks per group without count(DISTINCT …));
-- `waiting`: the deferred asks with no other outcome in scope (few: read only among the deferred asks); `groups`:
-- every group with an ask in scope.
groups AS (SELECT DISTINCT grp FROM ask_events),
waiting AS (
  SELECT ask_id FROM ask_events
  WHERE ask_id IN (SELECT ask_id FROM ask_events WHERE event = 'referral.ask.deferred')
  GROUP BY ask_id HAVING max(CASE WHEN event <> 'referral.ask.deferred' THEN 1 ELSE 0 END) = 0
),
per_ask AS (
  SELECT grp, ask_id,
    max(CASE WHEN event = 'referral.ask.held_out' THEN 1 ELSE 0 END) AS held_out,
    max(CASE WHEN event = 'referral.ask.skipped' THEN 1 ELSE 0 END) AS skipped,
    max(CASE WHEN event = 'referral.ask.failed' THEN 1 ELSE 0 END) AS failed,
    max(CASE WHEN event = 'referral.ask.deferred' THEN 1 ELSE 0 END) AS deferred
  FROM ask_events WHERE event <> 'referral.ask.sent' GROUP BY grp, ask_id
),
outcomes AS (
  SELECT p.grp,
    count(CASE WHEN p.held_out = 1 THEN p.ask_id END) AS held_out,
    count(CASE WHEN p.skipped = 1 THEN p.ask_id END) AS skipped,
    count(CASE WHEN p.failed = 1 THEN p.ask_id END) AS failed,
    count(CASE WHEN p.deferred = 1 AND w.ask_id IS NOT NULL THEN p.ask_id END) AS deferred
  FROM per_ask p LEFT JOIN waiting w ON w.ask_id = p.ask_id
  GROUP BY p.grp
),
funnel AS (
  SELECT s.grp,
    count(*) AS asked,
    sum(CASE WHEN s.channel = 'email' THEN 1 ELSE 0 END) AS email_asked,
    sum(coalesce(a.delivered, 0)) AS delivered,
    sum(coalesce(a.bounced, 0)) AS bounced,
    sum(coalesce(a.complained, 0)) AS complained,
    sum(coalesce(a.opened, 0)) AS opened,
    sum(CASE WHEN a.share_views > 0 THEN 1 ELSE 0 END) AS share_visitors,
    sum(coalesce(a.share_views, 0)) AS share_views,
    sum(CASE WHEN a.shares > 0 THEN 1 ELSE 0 END) AS sharers,
    sum(coalesce(a.shares, 0)) AS shares,
    sum(CASE WHEN a.clicks > 0 THEN 1 ELSE 0 END) AS clicked_asks,
    sum(coalesce(a.clicks, 0)) AS clicks,
    sum(coalesce(a.signups, 0)) AS signups,
    sum(coalesce(a.first_purchases, 0)) AS first_purchases,
    sum(coalesce(a.purchases, 0)) AS purchases,
    sum(coalesce(a.refunds, 0)) AS refunds,
    sum(CASE WHEN a.signups > 0 OR a.first_purchases > 0 THEN 1 ELSE 0 END) AS converted_asks
  FROM sent s
  LEFT JOIN ask_activity a ON a.ask_id = s.ask_id
  GROUP BY s.grp
)
SELECT g.grp,
  coalesce(f.asked, 0) AS asked, coalesce(o.held_out, 0) AS held_out, coalesce(o.skipped, 0) AS skipped,
  coalesce(o.deferred, 0) AS deferred, coalesce(o.failed, 0) AS failed,
  coalesce(f.email_asked, 0) AS email_asked, coalesce(f.delivered, 0) AS delivered, coalesce(f.bounced, 0) AS bounced,
  coalesce(f.complained, 0) AS complained, coalesce(f.opened, 0) AS opened,
  coalesce(f.share_visitors, 0) AS share_visitors, coalesce(f.share_views, 0) AS share_views,
  coalesce(f.sharers, 0) AS sharers, coalesce(f.shares, 0) AS shares,
  coalesce(f.clicked_asks, 0) AS clicked_asks, coalesce(f.clicks, 0) AS clicks,
  coalesce(f.signups, 0) AS signups, coalesce(f.first_purchases, 0) AS first_purchases, coalesce(f.purchases, 0) AS purchases,
  coalesce(f.refunds, 0) AS refunds, coalesce(f.converted_asks, 0) AS converted_asks
FROM groups g LEFT JOIN outcomes o ON o.grp = g.grp LEFT JOIN funnel f ON f.grp = g.grp
ORDER BY g.grp;
