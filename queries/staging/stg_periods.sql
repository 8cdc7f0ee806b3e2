-- Periods every KPI is reported for: 'all' (the whole analysis window) and each calendar
-- month that overlaps the window, with the part of the window it covers [start, end).
-- The grid itself: its 'all' row is one literal row, the window (not the months' rows again;
-- allow-listed in tests/it/sql_lint.rs). As the GROUPING SETS total of the months it came back
-- from an empty input: DataFusion 55 pushes a constant-false filter (a branch of a use case's
-- UNION ALL ruled out by `WHERE kpi = …` in `misura sql`) below the aggregate, and the empty
-- grouping set still yields its row, so every KPI's 'all' row matched (tests/it/sql.rs).
SELECT 'all' AS period,
       {{ window_start }} AS period_start,
       {{ window_end }} AS period_end
UNION ALL
SELECT to_char(m, '%Y-%m') AS period,
       greatest(m, {{ window_start }}) AS period_start,
       least(m + INTERVAL '1 month', {{ window_end }}) AS period_end
FROM (
    SELECT unnest(generate_series(
        date_trunc('month', {{ window_start }}),
        {{ window_end }} - INTERVAL '1 day',
        INTERVAL '1 month'
    )) AS m
) months
