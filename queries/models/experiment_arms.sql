-- Holdout experiments: per experiment and arm, the assigned contacts and their outcomes
-- (stg_experiment_outcomes): converted (>= 1 conversion), revenue, churned. The statistics
-- (z test, Wald interval, Welch t) are computed from these sums in Rust with statrs.
SELECT experiment_id, use_case, metric, arm,
       count(*) AS contacts,
       sum(CASE WHEN conversions > 0 THEN 1 ELSE 0 END) AS converted,
       CAST(sum(CAST(revenue AS DECIMAL(38, 10))) AS DOUBLE) AS revenue_sum,
       CAST(sum(CAST(revenue * revenue AS DECIMAL(38, 6))) AS DOUBLE) AS revenue_sq_sum,
       sum(churned) AS churned
FROM stg_experiment_outcomes
GROUP BY experiment_id, use_case, metric, arm
ORDER BY experiment_id, arm
