-- Holdout experiments (docs/spec/experiments.md), one row per assigned contact: its
-- outcomes inside [start_date, end_date] (both days inclusive): conversions, revenue and
-- margin (sums of the conversions' value and margin), churned (churned_at inside); and the
-- same outcomes over the pre-period, as many days as the experiment lasts, ending the day
-- before start_date (pre_conversions, pre_revenue, pre_margin: CUPED's covariates).
-- Read by models/experiment_arms.sql (the tests) and by the ROI (incremental margin).
WITH assigned AS (
    SELECT e.experiment_id, e.use_case, e.metric, a.arm, a.contact_id,
           CAST(e.start_date AS TIMESTAMP) AS starts_at,
           CAST(e.end_date AS TIMESTAMP) + INTERVAL '1 day' AS ends_at,
           CAST(e.start_date AS TIMESTAMP)
             - (CAST(e.end_date AS TIMESTAMP) + INTERVAL '1 day' - CAST(e.start_date AS TIMESTAMP)) AS pre_starts_at
    FROM experiments e
    JOIN experiment_assignments a ON a.experiment_id = e.experiment_id
),
-- each assigned contact with its conversions of the pre-period and of the experiment
joined AS (
    SELECT s.experiment_id, s.use_case, s.metric, s.arm, s.contact_id, s.starts_at, s.ends_at,
           c.contact_id AS converted_contact,
           c.converted_at >= s.starts_at AS inside,
           c.value, c.margin
    FROM assigned s
    LEFT JOIN stg_conversions c
           ON c.contact_id = s.contact_id
          AND c.converted_at >= s.pre_starts_at
          AND c.converted_at < s.ends_at
)
-- exact decimal sums keep re-runs byte-identical
SELECT j.experiment_id, j.use_case, j.metric, j.arm, j.contact_id,
       count(CASE WHEN j.inside THEN j.converted_contact END) AS conversions,
       coalesce(CAST(sum(CAST(CASE WHEN j.inside THEN j.value END AS DECIMAL(38, 10))) AS DOUBLE), 0.0) AS revenue,
       coalesce(CAST(sum(CAST(CASE WHEN j.inside THEN j.margin END AS DECIMAL(38, 10))) AS DOUBLE), 0.0) AS margin,
       max(CASE WHEN k.churned_at >= j.starts_at AND k.churned_at < j.ends_at THEN 1 ELSE 0 END) AS churned,
       count(CASE WHEN NOT j.inside THEN j.converted_contact END) AS pre_conversions,
       coalesce(CAST(sum(CAST(CASE WHEN NOT j.inside THEN j.value END AS DECIMAL(38, 10))) AS DOUBLE), 0.0) AS pre_revenue,
       coalesce(CAST(sum(CAST(CASE WHEN NOT j.inside THEN j.margin END AS DECIMAL(38, 10))) AS DOUBLE), 0.0) AS pre_margin
FROM joined j
LEFT JOIN contacts k ON k.contact_id = j.contact_id
GROUP BY j.experiment_id, j.use_case, j.metric, j.arm, j.contact_id
