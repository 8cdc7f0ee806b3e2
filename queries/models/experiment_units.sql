-- ROI incremental margin: per experiment, arm and assigned contact, the margin of its
-- conversions inside the experiment and over its pre-period (CUPED's covariate)
-- (stg_experiment_outcomes). Contacts are the bootstrap units.
SELECT experiment_id, use_case, metric, arm, contact_id, margin, pre_margin
FROM stg_experiment_outcomes
ORDER BY experiment_id, arm, contact_id
