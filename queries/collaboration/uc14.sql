-- UC14 Collaboration Insights: how often customer cases (tickets opened and opportunities
-- created in the window) are worked on across departments.
WITH periods AS (
    SELECT period FROM stg_periods
),
collaborated_cases AS (
    -- cases with at least one contributor, once for 'all' and once for the case's month
    SELECT 'all' AS period, departments FROM stg_cases WHERE contributors >= 1
    UNION ALL
    SELECT period_month AS period, departments FROM stg_cases WHERE contributors >= 1
),
stats AS (
    SELECT period,
           count(*) AS cases,
           sum(CASE WHEN departments >= 2 THEN 1 ELSE 0 END) AS cross_department
    FROM collaborated_cases
    GROUP BY period
),
by_period AS (
    SELECT p.period,
           coalesce(s.cases, 0) AS cases,
           coalesce(s.cross_department, 0) AS cross_department
    FROM periods p
    LEFT JOIN stats s ON s.period = p.period
)
SELECT 'uc14.cross_department_case_share' AS kpi, period, NULL AS dimension,
       NULL AS dimension_value,
       CAST(cross_department AS DOUBLE) / NULLIF(cases, 0) AS value, cases AS n
FROM by_period
