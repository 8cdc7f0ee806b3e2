-- Holdout experiments (docs/spec/attribution-and-roi.md), one row per assigned contact: its
-- outcomes inside [start_date, end_date] (both days inclusive): conversions, revenue and
-- margin (sums of the conversions' value and margin), churned (churned_at inside).
-- Read by models/experiment_arms.sql (the tests) and by the ROI (incremental margin).
WITH assigned AS (
    SELECT e.experiment_id, e.use_case, e.metric, a.arm, a.contact_id,
           CAST(e.start_date AS TIMESTAMP) AS starts_at,
           CAST(e.end_date AS TIMESTAMP) + INTERVAL '1 day' AS ends_at
    FROM experiments e
    JOIN experiment_assignments a ON a.experiment_id = e.experiment_id
)
-- exact decimal sums keep re-runs byte-identical
SELECT s.experiment_id, s.use_case, s.metric, s.arm, s.contact_id,
       count(c.contact_id) AS conversions,
       coalesce(CAST(sum(CAST(c.value AS DECIMAL(38, 10))) AS DOUBLE), 0.0) AS revenue,
       coalesce(CAST(sum(CAST(c.margin AS DECIMAL(38, 10))) AS DOUBLE), 0.0) AS margin,
       max(CASE WHEN k.churned_at >= s.starts_at AND k.churned_at < s.ends_at THEN 1 ELSE 0 END) AS churned
FROM assigned s
LEFT JOIN stg_conversions c
       ON c.contact_id = s.contact_id
      AND c.converted_at >= s.starts_at
      AND c.converted_at < s.ends_at
LEFT JOIN contacts k ON k.contact_id = s.contact_id
GROUP BY s.experiment_id, s.use_case, s.metric, s.arm, s.contact_id
