-- UC13 Crowdsourced R&D: ideas from outside the company's staff (source other than
-- 'employee', so customers and partners) submitted in the window, how they are voted,
-- how many get implemented, how fast, and the value they realise. Implementation may lie
-- after the window end.
WITH periods AS (
    SELECT period FROM stg_periods
),
crowd_ideas AS (
    -- one row per non-employee idea submitted in the window
    SELECT idea_id,
           period_month,
           votes,
           status = 'implemented' AND implemented_at IS NOT NULL AS is_implemented,
           CASE WHEN status = 'implemented' AND implemented_at IS NOT NULL
                THEN (extract(epoch FROM implemented_at) - extract(epoch FROM submitted_at)) / 86400
           END AS days_to_implement,
           CASE WHEN status = 'implemented' THEN realized_value END AS implemented_value
    FROM stg_ideas
    WHERE source <> 'employee'
),
stats AS (
    -- per month (of submission) and for the whole window in one pass (GROUPING SETS;
    -- grouping(x) = 1 marks the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS ideas,
           avg(CAST(votes AS DOUBLE)) AS mean_votes,
           sum(CASE WHEN is_implemented THEN 1 ELSE 0 END) AS implemented,
           median(days_to_implement) AS median_days,
           count(days_to_implement) AS timed,
           CAST(sum(CAST(implemented_value AS DECIMAL(38, 10))) AS DOUBLE) AS realized_value,
           count(implemented_value) AS valued
    FROM crowd_ideas
    GROUP BY GROUPING SETS ((period_month), ())
),
by_period AS (
    SELECT p.period,
           coalesce(s.ideas, 0) AS ideas,
           s.mean_votes,
           coalesce(s.implemented, 0) AS implemented,
           s.median_days,
           coalesce(s.timed, 0) AS timed,
           coalesce(s.realized_value, 0.0) AS realized_value,
           coalesce(s.valued, 0) AS valued
    FROM periods p
    LEFT JOIN stats s ON s.period = p.period
)
SELECT 'uc13.ideas_submitted' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(ideas AS DOUBLE) AS value, ideas AS n
FROM by_period
UNION ALL
SELECT 'uc13.votes_per_idea', period, NULL, NULL, mean_votes, ideas
FROM by_period
UNION ALL
SELECT 'uc13.implementation_rate', period, NULL, NULL,
       CAST(implemented AS DOUBLE) / NULLIF(ideas, 0), ideas
FROM by_period
UNION ALL
SELECT 'uc13.median_days_to_implement', period, NULL, NULL, median_days, timed
FROM by_period
UNION ALL
SELECT 'uc13.realized_value', period, NULL, NULL, CAST(realized_value AS DOUBLE), valued
FROM by_period
