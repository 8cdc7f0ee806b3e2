-- Experiment plans (docs/spec/experiments.md, planning): the contacts a holdout of each use
-- case would be drawn from, one row per use case and contact first exposed in the window:
--  * every use case with touches (a touch's use case is its own, else its campaign's): the
--    contact's first touch of the use case in the window; metric conversion;
--  * UC03 (critical mentions answered) and UC17 (seamless service): the exposures of their
--    retention comparison (models/rescue_units.sql): a contact's first critical mention,
--    its first ticket in the window; metric churn.
-- Outcome y over the 28 days from the exposure (the plan's measurement period per contact):
-- converted (>= 1 conversion) or churned. Covariate x, CUPED's, over the 28 days before it:
-- converted; 0 for churn (a contact that churned before cannot be exposed). measured = the
-- 28 days lie inside the window, so y is complete.
WITH touches AS (
    SELECT coalesce(t.use_case, k.use_case) AS use_case, t.contact_id, min(t.occurred_at) AS exposed_at
    FROM touchpoints t
    LEFT JOIN campaigns k ON k.campaign_id = t.campaign_id
    WHERE t.occurred_at >= {{ window_start }} AND t.occurred_at < {{ window_end }}
      AND coalesce(t.use_case, k.use_case) IS NOT NULL
    GROUP BY coalesce(t.use_case, k.use_case), t.contact_id
),
critical AS (
    SELECT i.contact_id, min(c.posted_at) AS exposed_at
    FROM stg_critical_mentions c
    JOIN social_identities i ON i.network = c.network AND i.author_handle = c.author_handle
    WHERE c.posted_at >= {{ window_start }} AND c.posted_at < {{ window_end }}
    GROUP BY i.contact_id
),
served AS (
    SELECT contact_id, min(opened_at) AS exposed_at
    FROM stg_contact_tickets
    WHERE opened_at >= {{ window_start }} AND opened_at < {{ window_end }}
    GROUP BY contact_id
),
converting AS (
    SELECT e.use_case, e.contact_id, e.exposed_at,
           max(CASE WHEN c.converted_at >= e.exposed_at THEN 1 ELSE 0 END) AS y,
           max(CASE WHEN c.converted_at < e.exposed_at THEN 1 ELSE 0 END) AS x
    FROM touches e
    LEFT JOIN stg_conversions c
           ON c.contact_id = e.contact_id
          AND c.converted_at >= e.exposed_at - INTERVAL '28 days'
          AND c.converted_at < e.exposed_at + INTERVAL '28 days'
    GROUP BY e.use_case, e.contact_id, e.exposed_at
),
retained AS (
    SELECT 'UC03' AS use_case, contact_id, exposed_at FROM critical
    UNION ALL
    SELECT 'UC17' AS use_case, contact_id, exposed_at FROM served
)
SELECT use_case, 'conversion' AS metric, contact_id,
       exposed_at + INTERVAL '28 days' <= {{ window_end }} AS measured,
       CAST(y AS DOUBLE) AS y, CAST(x AS DOUBLE) AS x
FROM converting
UNION ALL
SELECT r.use_case, 'churn' AS metric, r.contact_id,
       r.exposed_at + INTERVAL '28 days' <= {{ window_end }} AS measured,
       CASE WHEN k.churned_at >= r.exposed_at AND k.churned_at < r.exposed_at + INTERVAL '28 days'
            THEN 1.0 ELSE 0.0 END AS y,
       0.0 AS x
FROM retained r
JOIN contacts k ON k.contact_id = r.contact_id
WHERE k.churned_at IS NULL OR k.churned_at >= r.exposed_at
ORDER BY use_case, contact_id
