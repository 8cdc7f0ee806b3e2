-- UC04 Social Campaign Tracking: reach, engagements and cost of each campaign, for the whole
-- window and per month, with a total over all campaigns (dimension null).
-- (uc04.attributed_revenue and uc04.roas come from the attribution engine, not from here.)
WITH periods AS (
    SELECT period, period_start, period_end FROM stg_periods
),

-- Mentions tagged with a campaign ---------------------------------------------------------
-- every mention posted in the window with a campaign_id (brand posts and other authors alike:
-- the tag says the post belongs to the campaign), per campaign, per month and for the whole
-- window in one pass (GROUPING SETS; grouping(x) = 1 marks the row of the whole window)
mention_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           campaign_id,
           count(*) AS mentions,
           sum(reach) AS reach,
           sum(likes + shares + comments) AS engagements
    FROM stg_mentions
    WHERE campaign_id IS NOT NULL
    GROUP BY GROUPING SETS ((period_month, campaign_id), (campaign_id))
),

-- Touchpoint costs (used for campaigns without a budget) ------------------------------------
-- touchpoints of a campaign that occurred in the window, per campaign, per month and for the
-- whole window
campaign_touchpoints AS (
    SELECT to_char(occurred_at, '%Y-%m') AS period_month, campaign_id, cost
    FROM touchpoints
    WHERE campaign_id IS NOT NULL
      AND occurred_at >= {{ window_start }} AND occurred_at < {{ window_end }}
),
touchpoint_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           campaign_id,
           count(cost) AS costed_touchpoints,
           coalesce(CAST(sum(CAST(cost AS DECIMAL(38, 10))) AS DOUBLE), 0) AS touchpoint_cost
    FROM campaign_touchpoints
    GROUP BY GROUPING SETS ((period_month, campaign_id), (campaign_id))
),

-- Campaign runs ---------------------------------------------------------------------------------
-- days of the run [start_date, end_date] (both inclusive) that fall inside each period, and
-- the run's length: a budget is spread evenly over the run's days
campaign_runs AS (
    SELECT p.period, c.campaign_id,
           greatest(0, (extract(epoch FROM least(CAST(c.end_date AS TIMESTAMP) + INTERVAL '1 day', p.period_end))
                      - extract(epoch FROM greatest(CAST(c.start_date AS TIMESTAMP), p.period_start))) / 86400)
               AS overlap_days,
           (extract(epoch FROM CAST(c.end_date AS TIMESTAMP)) - extract(epoch FROM CAST(c.start_date AS TIMESTAMP))) / 86400 + 1
               AS run_days
    FROM periods p
    CROSS JOIN campaigns c
),

-- Campaigns reported per period: running in it, or with tagged mentions or touchpoints in it ----
campaigns_in_period AS (
    SELECT period, campaign_id FROM campaign_runs WHERE overlap_days > 0
    UNION
    SELECT period, campaign_id FROM mention_stats
    UNION
    SELECT period, campaign_id FROM touchpoint_stats
),
per_campaign AS (
    SELECT s.period, s.campaign_id,
           coalesce(m.mentions, 0) AS mentions,
           coalesce(m.reach, 0) AS reach,
           coalesce(m.engagements, 0) AS engagements,
           -- the budget prorated to the period, else the period's touchpoint costs
           CASE WHEN c.budget IS NOT NULL
                THEN c.budget * r.overlap_days / r.run_days
                ELSE coalesce(t.touchpoint_cost, 0)
           END AS cost,
           CASE WHEN c.budget IS NOT NULL THEN 1 ELSE coalesce(t.costed_touchpoints, 0) END AS cost_rows
    FROM campaigns_in_period s
    JOIN campaigns c ON c.campaign_id = s.campaign_id
    JOIN campaign_runs r ON r.period = s.period AND r.campaign_id = s.campaign_id
    LEFT JOIN mention_stats m ON m.period = s.period AND m.campaign_id = s.campaign_id
    LEFT JOIN touchpoint_stats t ON t.period = s.period AND t.campaign_id = s.campaign_id
),
-- all campaigns together, for every period (so each KPI has a row even without campaigns)
campaign_totals AS (
    SELECT period,
           sum(mentions) AS mentions,
           sum(reach) AS reach,
           sum(engagements) AS engagements,
           CAST(sum(CAST(cost AS DECIMAL(38, 10))) AS DOUBLE) AS cost,
           sum(cost_rows) AS cost_rows
    FROM per_campaign
    GROUP BY period
),
rows AS (
    SELECT p.period, CAST(NULL AS VARCHAR) AS campaign_id,
           coalesce(t.mentions, 0) AS mentions,
           coalesce(t.reach, 0) AS reach,
           coalesce(t.engagements, 0) AS engagements,
           coalesce(t.cost, 0) AS cost,
           coalesce(t.cost_rows, 0) AS cost_rows
    FROM periods p
    LEFT JOIN campaign_totals t ON t.period = p.period
    UNION ALL
    SELECT period, campaign_id, mentions, reach, engagements, cost, cost_rows
    FROM per_campaign
)

SELECT 'uc04.reach' AS kpi, period,
       CASE WHEN campaign_id IS NULL THEN NULL ELSE 'campaign_id' END AS dimension,
       campaign_id AS dimension_value,
       CAST(reach AS DOUBLE) AS value, mentions AS n
FROM rows
UNION ALL
SELECT 'uc04.engagements', period,
       CASE WHEN campaign_id IS NULL THEN NULL ELSE 'campaign_id' END, campaign_id,
       CAST(engagements AS DOUBLE), mentions
FROM rows
UNION ALL
SELECT 'uc04.engagement_rate', period,
       CASE WHEN campaign_id IS NULL THEN NULL ELSE 'campaign_id' END, campaign_id,
       CAST(engagements AS DOUBLE) / NULLIF(reach, 0), mentions
FROM rows
UNION ALL
SELECT 'uc04.cost', period,
       CASE WHEN campaign_id IS NULL THEN NULL ELSE 'campaign_id' END, campaign_id,
       CAST(cost AS DOUBLE), cost_rows
FROM rows
