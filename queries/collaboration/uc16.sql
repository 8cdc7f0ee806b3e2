-- UC16 Partner Collaboration: how often people of partners (suppliers, resellers,
-- agencies working in the company's tools) contribute to customer cases (tickets opened
-- and opportunities created in the window).
WITH periods AS (
    SELECT period FROM stg_periods
),
collaborated_cases AS (
    -- cases with at least one contributor, once for 'all' and once for the case's month
    SELECT 'all' AS period, partner_contributors FROM stg_cases WHERE contributors >= 1
    UNION ALL
    SELECT period_month AS period, partner_contributors FROM stg_cases WHERE contributors >= 1
),
stats AS (
    SELECT period,
           count(*) AS cases,
           sum(CASE WHEN partner_contributors >= 1 THEN 1 ELSE 0 END) AS partner_cases
    FROM collaborated_cases
    GROUP BY period
),
by_period AS (
    SELECT p.period,
           coalesce(s.cases, 0) AS cases,
           coalesce(s.partner_cases, 0) AS partner_cases
    FROM periods p
    LEFT JOIN stats s ON s.period = p.period
)
SELECT 'uc16.partner_case_share' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(partner_cases AS DOUBLE) / NULLIF(cases, 0) AS value, cases AS n
FROM by_period
