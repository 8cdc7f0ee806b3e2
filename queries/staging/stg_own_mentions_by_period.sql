-- Own-brand mentions once for period 'all' and once for their calendar month, so that
-- every KPI is computed for both with a single GROUP BY period.
SELECT 'all' AS period, m.* FROM stg_own_mentions m
UNION ALL
SELECT m.period_month AS period, m.* FROM stg_own_mentions m
