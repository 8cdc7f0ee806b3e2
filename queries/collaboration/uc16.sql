-- UC16 Partner Collaboration: how often people of partners (suppliers, resellers,
-- agencies working in the company's tools) contribute to customer cases (tickets opened
-- and opportunities created in the window). The cases per period are
-- int_cases_aggregated_to_periods, shared with UC14.
SELECT 'uc16.partner_case_share' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(partner_cases AS DOUBLE) / NULLIF(cases, 0) AS value, cases AS n
FROM int_cases_aggregated_to_periods
