-- Holdout experiments: per experiment and arm, the assigned contacts and their outcomes
-- (stg_experiment_outcomes): converted (>= 1 conversion), revenue, churned; the same over the
-- pre-period (pre_converted, pre_revenue) and the cross sums CUPED needs; the experiment's
-- dates and designed treatment share (sample-ratio check, monitoring). The statistics (z test,
-- Wald interval, Welch t, CUPED, the always-valid test, the sample-ratio test) are computed
-- from these sums in Rust with statrs.
SELECT o.experiment_id, o.use_case, o.metric, o.arm,
       CAST(e.start_date AS VARCHAR) AS start_date,
       CAST(e.end_date AS VARCHAR) AS end_date,
       coalesce(e.treatment_share, 0.5) AS treatment_share,
       count(*) AS contacts,
       sum(CASE WHEN o.conversions > 0 THEN 1 ELSE 0 END) AS converted,
       CAST(sum(CAST(o.revenue AS DECIMAL(38, 10))) AS DOUBLE) AS revenue_sum,
       CAST(sum(CAST(o.revenue * o.revenue AS DECIMAL(38, 6))) AS DOUBLE) AS revenue_sq_sum,
       sum(o.churned) AS churned,
       sum(CASE WHEN o.pre_conversions > 0 THEN 1 ELSE 0 END) AS pre_converted,
       sum(CASE WHEN o.pre_conversions > 0 AND o.conversions > 0 THEN 1 ELSE 0 END) AS both_converted,
       CAST(sum(CAST(o.pre_revenue AS DECIMAL(38, 10))) AS DOUBLE) AS pre_revenue_sum,
       CAST(sum(CAST(o.pre_revenue * o.pre_revenue AS DECIMAL(38, 6))) AS DOUBLE) AS pre_revenue_sq_sum,
       CAST(sum(CAST(o.pre_revenue * o.revenue AS DECIMAL(38, 6))) AS DOUBLE) AS revenue_cross_sum
FROM stg_experiment_outcomes o
JOIN experiments e ON e.experiment_id = o.experiment_id
GROUP BY o.experiment_id, o.use_case, o.metric, o.arm, e.start_date, e.end_date, e.treatment_share
ORDER BY o.experiment_id, o.arm
