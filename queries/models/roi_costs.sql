-- ROI costs (docs/spec/attribution-and-roi.md): each cost prorated to the analysis window by the
-- days of [period_start, period_end] (both inclusive) inside [window_start, window_end)
-- over the days of the period. Per use case; use_case null = shared costs, allocated in Rust
-- by shared_cost_allocation. n = cost rows that overlap the window.
WITH overlap AS (
    SELECT use_case,
           amount,
           CAST(period_end AS TIMESTAMP) + INTERVAL '1 day' AS period_stop,
           CAST(period_start AS TIMESTAMP) AS period_begin
    FROM costs
),
days AS (
    SELECT use_case,
           amount,
           (extract(epoch FROM period_stop) - extract(epoch FROM period_begin)) / 86400 AS period_days,
           (extract(epoch FROM least(period_stop, {{ window_end }}))
            - extract(epoch FROM greatest(period_begin, {{ window_start }}))) / 86400 AS inside_days
    FROM overlap
)
SELECT use_case,
       CAST(sum(CAST(amount * inside_days / period_days AS DECIMAL(38, 10))) AS DOUBLE) AS cost,
       count(*) AS n
FROM days
WHERE inside_days > 0
GROUP BY use_case
ORDER BY use_case NULLS LAST
