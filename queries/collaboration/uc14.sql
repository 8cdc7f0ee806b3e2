-- UC14 Collaboration Insights: how often customer cases (tickets opened and opportunities
-- created in the window) are worked on across departments. The cases per period are
-- int_cases_aggregated_to_periods, shared with UC16.
SELECT 'uc14.cross_department_case_share' AS kpi, period, NULL AS dimension,
       NULL AS dimension_value,
       CAST(cross_department_cases AS DOUBLE) / NULLIF(cases, 0) AS value, cases AS n
FROM int_cases_aggregated_to_periods
