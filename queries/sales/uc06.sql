-- UC06 Social Sales Insights: how many opportunities created in the window were preceded
-- by a social signal of their contact, and whether those win more often than the others
-- (pooled two-proportion z-test; the engine turns z into a two-sided p-value).
WITH periods AS (
    SELECT period FROM stg_periods
),
opportunities_in_window AS (
    -- opportunities created in the window; they may close after the window end
    SELECT opportunity_id, contact_id, created_at, stage, period_month
    FROM stg_opportunities
),
mention_signals AS (
    -- signal 1: the contact (through social_identities) authored an own-brand mention
    -- posted in [created_at - signal_window_days days, created_at): 0 < seconds
    -- before created_at <= signal_window_days * 86400. The mention may predate the window.
    SELECT DISTINCT o.opportunity_id
    FROM opportunities_in_window o
    JOIN social_identities i ON i.contact_id = o.contact_id
    JOIN social_mentions m
      ON m.network = i.network
     AND m.author_handle = i.author_handle
    WHERE m.brand = {{ brand }}
      AND NOT m.is_brand_post
      AND extract(epoch FROM o.created_at) - extract(epoch FROM m.posted_at) > 0
      AND extract(epoch FROM o.created_at) - extract(epoch FROM m.posted_at) <= {{ signal_window_days }} * 86400
),
touch_signals AS (
    -- signal 2: the contact had a touchpoint on a channel starting with 'social'
    -- (social_organic, social_paid, ...) in the same span before created_at
    SELECT DISTINCT o.opportunity_id
    FROM opportunities_in_window o
    JOIN touchpoints t ON t.contact_id = o.contact_id
    WHERE starts_with(t.channel, 'social')
      AND extract(epoch FROM o.created_at) - extract(epoch FROM t.occurred_at) > 0
      AND extract(epoch FROM o.created_at) - extract(epoch FROM t.occurred_at) <= {{ signal_window_days }} * 86400
),
flagged AS (
    -- one row per opportunity with its signal flag and closed/won outcome
    SELECT o.opportunity_id,
           o.period_month,
           (ms.opportunity_id IS NOT NULL OR ts.opportunity_id IS NOT NULL) AS has_signal,
           o.stage IN ('won', 'lost') AS is_closed,
           o.stage = 'won' AS is_won
    FROM opportunities_in_window o
    LEFT JOIN mention_signals ms ON ms.opportunity_id = o.opportunity_id
    LEFT JOIN touch_signals ts ON ts.opportunity_id = o.opportunity_id
),
counts AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS opportunities,
           sum(CASE WHEN has_signal THEN 1 ELSE 0 END) AS with_signal,
           sum(CASE WHEN has_signal AND is_closed THEN 1 ELSE 0 END) AS closed_with,
           sum(CASE WHEN has_signal AND is_won THEN 1 ELSE 0 END) AS won_with,
           sum(CASE WHEN NOT has_signal AND is_closed THEN 1 ELSE 0 END) AS closed_without,
           sum(CASE WHEN NOT has_signal AND is_won THEN 1 ELSE 0 END) AS won_without
    FROM flagged
    GROUP BY GROUPING SETS ((period_month), ())
),
by_period AS (
    -- every reporting period, with zero counts where no opportunity was created
    SELECT p.period,
           coalesce(c.opportunities, 0) AS opportunities,
           coalesce(c.with_signal, 0) AS with_signal,
           coalesce(c.closed_with, 0) AS closed_with,
           coalesce(c.won_with, 0) AS won_with,
           coalesce(c.closed_without, 0) AS closed_without,
           coalesce(c.won_without, 0) AS won_without
    FROM periods p
    LEFT JOIN counts c ON c.period = p.period
),
z_test AS (
    -- pooled two-proportion z statistic: (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)),
    -- p = (won1 + won2) / (n1 + n2); undefined (null) when a group has no closed
    -- opportunity or when all / none of the closed opportunities were won (se = 0)
    SELECT period,
           closed_with + closed_without AS closed,
           CASE
               WHEN closed_with > 0 AND closed_without > 0
                AND won_with + won_without > 0
                AND won_with + won_without < closed_with + closed_without
               THEN (CAST(won_with AS DOUBLE) / closed_with - CAST(won_without AS DOUBLE) / closed_without)
                    / sqrt(
                        (CAST(won_with + won_without AS DOUBLE) / (closed_with + closed_without))
                        * (1.0 - CAST(won_with + won_without AS DOUBLE) / (closed_with + closed_without))
                        * (1.0 / closed_with + 1.0 / closed_without)
                      )
           END AS z
    FROM by_period
)
SELECT 'uc06.social_signal_share' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(with_signal AS DOUBLE) / NULLIF(opportunities, 0) AS value, opportunities AS n
FROM by_period
UNION ALL
SELECT 'uc06.win_rate_with_signal', period, NULL, NULL,
       CAST(won_with AS DOUBLE) / NULLIF(closed_with, 0), closed_with
FROM by_period
UNION ALL
SELECT 'uc06.win_rate_without_signal', period, NULL, NULL,
       CAST(won_without AS DOUBLE) / NULLIF(closed_without, 0), closed_without
FROM by_period
UNION ALL
SELECT 'uc06.win_rate_p_value', period, NULL, NULL, z, closed
FROM z_test
