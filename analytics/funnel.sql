-- The funnel per group: asks by outcome, delivery, share-page visits, shares, clicks, signups, first purchases.
-- Counts only; the report names each rate's denominator. Later events reach their ask by ask id or referral code.
-- A deferred ask is retried by a later run: once it was sent, skipped, failed or held out it counts only as that
-- outcome; `deferred` counts the asks still waiting (no other outcome in scope).
WITH {{> asks}},
resolved AS (SELECT DISTINCT ask_id FROM ask_events WHERE event <> 'referral.ask.deferred'),
outcomes AS (
  SELECT a.grp,
    count(DISTINCT CASE WHEN a.event = 'referral.ask.held_out' THEN a.ask_id END) AS held_out,
    count(DISTINCT CASE WHEN a.event = 'referral.ask.skipped' THEN a.ask_id END) AS skipped,
    count(DISTINCT CASE WHEN a.event = 'referral.ask.failed' THEN a.ask_id END) AS failed,
    count(DISTINCT CASE WHEN a.event = 'referral.ask.deferred' AND r.ask_id IS NULL THEN a.ask_id END) AS deferred
  FROM ask_events a LEFT JOIN resolved r ON r.ask_id = a.ask_id
  GROUP BY a.grp
),
delivery AS (
  SELECT ask_id,
    max(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
    max(CASE WHEN status = 'bounced' THEN 1 ELSE 0 END) AS bounced,
    max(CASE WHEN status = 'complained' THEN 1 ELSE 0 END) AS complained,
    max(CASE WHEN status = 'opened' THEN 1 ELSE 0 END) AS opened
  FROM events WHERE event = 'referral.delivery.recorded' GROUP BY ask_id
),
views AS (SELECT ask_id, count(*) AS n FROM events WHERE event = 'referral.share.viewed' GROUP BY ask_id),
shares AS (SELECT ask_id, count(*) AS n FROM events WHERE event = 'referral.share.recorded' GROUP BY ask_id),
clicks AS (
  SELECT k.ask_id, count(DISTINCT c.click_id) AS n
  FROM events c JOIN code_asks k ON k.referral_code = c.referral_code
  WHERE c.event = 'referral.click.recorded' GROUP BY k.ask_id
),
conv AS (
  SELECT ask_id,
    count(DISTINCT CASE WHEN conversion_type = 'signup' THEN conversion_id END) AS signups,
    count(DISTINCT CASE WHEN conversion_type = 'purchase' THEN coalesce(referee_id, conversion_id) END) AS first_purchases,
    count(DISTINCT CASE WHEN conversion_type = 'purchase' THEN conversion_id END) AS purchases,
    count(DISTINCT CASE WHEN conversion_type = 'refund' THEN conversion_id END) AS refunds
  FROM conversions WHERE ask_id IS NOT NULL GROUP BY ask_id
),
funnel AS (
  SELECT s.grp,
    count(*) AS asked,
    sum(CASE WHEN s.channel = 'email' THEN 1 ELSE 0 END) AS email_asked,
    sum(coalesce(d.delivered, 0)) AS delivered,
    sum(coalesce(d.bounced, 0)) AS bounced,
    sum(coalesce(d.complained, 0)) AS complained,
    sum(coalesce(d.opened, 0)) AS opened,
    sum(CASE WHEN v.n > 0 THEN 1 ELSE 0 END) AS share_visitors,
    sum(coalesce(v.n, 0)) AS share_views,
    sum(CASE WHEN sh.n > 0 THEN 1 ELSE 0 END) AS sharers,
    sum(coalesce(sh.n, 0)) AS shares,
    sum(CASE WHEN c.n > 0 THEN 1 ELSE 0 END) AS clicked_asks,
    sum(coalesce(c.n, 0)) AS clicks,
    sum(coalesce(cv.signups, 0)) AS signups,
    sum(coalesce(cv.first_purchases, 0)) AS first_purchases,
    sum(coalesce(cv.purchases, 0)) AS purchases,
    sum(coalesce(cv.refunds, 0)) AS refunds,
    sum(CASE WHEN cv.signups > 0 OR cv.first_purchases > 0 THEN 1 ELSE 0 END) AS converted_asks
  FROM sent s
  LEFT JOIN delivery d ON d.ask_id = s.ask_id
  LEFT JOIN views v ON v.ask_id = s.ask_id
  LEFT JOIN shares sh ON sh.ask_id = s.ask_id
  LEFT JOIN clicks c ON c.ask_id = s.ask_id
  LEFT JOIN conv cv ON cv.ask_id = s.ask_id
  GROUP BY s.grp
)
SELECT o.grp,
  coalesce(f.asked, 0) AS asked, o.held_out, o.skipped, o.deferred, o.failed,
  coalesce(f.email_asked, 0) AS email_asked, coalesce(f.delivered, 0) AS delivered, coalesce(f.bounced, 0) AS bounced,
  coalesce(f.complained, 0) AS complained, coalesce(f.opened, 0) AS opened,
  coalesce(f.share_visitors, 0) AS share_visitors, coalesce(f.share_views, 0) AS share_views,
  coalesce(f.sharers, 0) AS sharers, coalesce(f.shares, 0) AS shares,
  coalesce(f.clicked_asks, 0) AS clicked_asks, coalesce(f.clicks, 0) AS clicks,
  coalesce(f.signups, 0) AS signups, coalesce(f.first_purchases, 0) AS first_purchases, coalesce(f.purchases, 0) AS purchases,
  coalesce(f.refunds, 0) AS refunds, coalesce(f.converted_asks, 0) AS converted_asks
FROM outcomes o LEFT JOIN funnel f ON f.grp = o.grp
ORDER BY o.grp;
