-- Periods every KPI is reported for: 'all' (the whole analysis window) and each calendar
-- month that overlaps the window, with the part of the window it covers [start, end).
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
