-- UC15 Enterprise Collaboration for Customer Cases: do tickets that several employees work
-- on get resolved faster? Median resolution hours of resolved tickets opened in the window
-- with >= 2 distinct contributors, against the rest (0 or 1 contributor).
WITH periods AS (
    SELECT period FROM stg_periods
),
resolved_tickets AS (
    -- tickets opened in the window and resolved (possibly after the window end)
    SELECT c.period_month,
           c.contributors >= 2 AS with_collab,
           (extract(epoch FROM t.resolved_at) - extract(epoch FROM t.opened_at)) / 3600 AS resolution_hours
    FROM stg_cases c
    JOIN tickets t ON t.ticket_id = c.case_id
    WHERE c.case_type = 'ticket'
      AND t.resolved_at IS NOT NULL
),
stats AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           median(CASE WHEN with_collab THEN resolution_hours END) AS median_with_hours,
           sum(CASE WHEN with_collab THEN 1 ELSE 0 END) AS with_n,
           median(CASE WHEN NOT with_collab THEN resolution_hours END) AS median_without_hours,
           sum(CASE WHEN NOT with_collab THEN 1 ELSE 0 END) AS without_n
    FROM resolved_tickets
    GROUP BY GROUPING SETS ((period_month), ())
),
by_period AS (
    SELECT p.period,
           s.median_with_hours,
           coalesce(s.with_n, 0) AS with_n,
           s.median_without_hours,
           coalesce(s.without_n, 0) AS without_n
    FROM periods p
    LEFT JOIN stats s ON s.period = p.period
)
SELECT 'uc15.median_resolution_hours_with_collab' AS kpi, period, NULL AS dimension,
       NULL AS dimension_value, median_with_hours AS value, with_n AS n
FROM by_period
UNION ALL
SELECT 'uc15.median_resolution_hours_without_collab', period, NULL, NULL,
       median_without_hours, without_n
FROM by_period
