-- Holdout experiments: per experiment and arm, the assigned contacts and their outcomes
-- inside [start_date, end_date] (both days inclusive): converted (>= 1 conversion), revenue
-- (sum of conversion values), churned (churned_at inside). The statistics (z test, Wald
-- interval, Welch t) are computed from these sums in Rust with statrs.
WITH assigned AS (
    SELECT e.experiment_id, e.use_case, e.metric, a.arm, a.contact_id,
           CAST(e.start_date AS TIMESTAMP) AS starts_at,
           CAST(e.end_date AS TIMESTAMP) + INTERVAL '1 day' AS ends_at
    FROM experiments e
    JOIN experiment_assignments a ON a.experiment_id = e.experiment_id
),
outcomes AS (
    -- one row per assigned contact; exact decimal sums keep re-runs byte-identical
    SELECT s.experiment_id, s.use_case, s.metric, s.arm, s.contact_id,
           count(c.contact_id) AS conversions,
           coalesce(CAST(sum(CAST(c.value AS DECIMAL(38, 10))) AS DOUBLE), 0.0) AS revenue,
           max(CASE WHEN k.churned_at >= s.starts_at AND k.churned_at < s.ends_at THEN 1 ELSE 0 END) AS churned
    FROM assigned s
    LEFT JOIN stg_conversions c
           ON c.contact_id = s.contact_id
          AND c.converted_at >= s.starts_at
          AND c.converted_at < s.ends_at
    LEFT JOIN contacts k ON k.contact_id = s.contact_id
    GROUP BY s.experiment_id, s.use_case, s.metric, s.arm, s.contact_id
)
SELECT experiment_id, use_case, metric, arm,
       count(*) AS contacts,
       sum(CASE WHEN conversions > 0 THEN 1 ELSE 0 END) AS converted,
       CAST(sum(CAST(revenue AS DECIMAL(38, 10))) AS DOUBLE) AS revenue_sum,
       CAST(sum(CAST(revenue * revenue AS DECIMAL(38, 6))) AS DOUBLE) AS revenue_sq_sum,
       sum(churned) AS churned
FROM outcomes
GROUP BY experiment_id, use_case, metric, arm
ORDER BY experiment_id, arm
