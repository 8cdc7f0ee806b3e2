-- Collaborated customer cases per period (UC14, UC16): the cases of stg_cases with at least
-- one contributor, and of them those worked on by >= 2 departments and those with >= 1
-- partner contributor, for every period of stg_periods (0 where a month has none).
WITH stats AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS cases,
           sum(CASE WHEN departments >= 2 THEN 1 ELSE 0 END) AS cross_department_cases,
           sum(CASE WHEN partner_contributors >= 1 THEN 1 ELSE 0 END) AS partner_cases
    FROM stg_cases
    WHERE contributors >= 1
    GROUP BY GROUPING SETS ((period_month), ())
)
SELECT p.period,
       coalesce(s.cases, 0) AS cases,
       coalesce(s.cross_department_cases, 0) AS cross_department_cases,
       coalesce(s.partner_cases, 0) AS partner_cases
FROM stg_periods p
LEFT JOIN stats s ON s.period = p.period
