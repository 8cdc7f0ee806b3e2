-- Perception gap (docs/domain.md; issue 6): per segment value (the survey_responses column named by
-- perception_segment_by; null -> 'unknown') and reason, how many customer and business
-- respondents answered the reason and how many selected it. The shares, the Wald interval
-- of the gap, the pooled two-proportion test, Holm's adjustment and the rank correlation
-- are computed from these counts in Rust (statrs).
SELECT coalesce(CASE {{ perception_segment_by }}
                    WHEN 'industry' THEN industry
                    WHEN 'segment' THEN segment
                    ELSE country
                END, 'unknown') AS segment_value,
       reason,
       sum(CASE WHEN respondent_type = 'customer' THEN 1 ELSE 0 END) AS n_customer,
       sum(CASE WHEN respondent_type = 'customer' AND selected THEN 1 ELSE 0 END) AS k_customer,
       sum(CASE WHEN respondent_type = 'business' THEN 1 ELSE 0 END) AS n_business,
       sum(CASE WHEN respondent_type = 'business' AND selected THEN 1 ELSE 0 END) AS k_business
FROM survey_responses
GROUP BY 1, 2
ORDER BY 1, 2
