-- ROI value drivers measured per unit (docs/spec/attribution-and-roi.md), one row per unit the
-- bootstrap resamples: driver, use_case, unit_id, value, covered (the value rests on data
-- present for this unit).
--  * service_savings UC10: resolved social tickets opened in the window; value = cost per
--    contact of the assisted channel - of `social`, each the channel_costs row with the latest
--    period_start on or before the ticket's opening (0, not covered, when either is absent).
--  * service_savings UC11: deflected threads (stg_deflected_threads, as uc11.deflection_savings).
--  * innovation UC12 / UC13: implemented ideas submitted in the window, realized_value
--    (0, not covered, when null); source social/support/community -> UC12, other
--    non-employee sources -> UC13.
WITH resolved AS (
    SELECT ticket_id, opened_at
    FROM stg_tickets
    WHERE channel = 'social' AND resolved_at IS NOT NULL
),
ticket_costs AS (
    SELECT r.ticket_id, k.channel, k.cost_per_contact,
           row_number() OVER (PARTITION BY r.ticket_id, k.channel ORDER BY k.period_start DESC) AS recency
    FROM resolved r
    JOIN channel_costs k ON CAST(k.period_start AS TIMESTAMP) <= r.opened_at
    WHERE k.channel IN ({{ assisted_channel }}, 'social')
),
ticket_savings AS (
    SELECT r.ticket_id,
           max(CASE WHEN k.channel = {{ assisted_channel }} THEN k.cost_per_contact END) AS assisted,
           max(CASE WHEN k.channel = 'social' THEN k.cost_per_contact END) AS social
    FROM resolved r
    LEFT JOIN ticket_costs k ON k.ticket_id = r.ticket_id AND k.recency = 1
    GROUP BY r.ticket_id
)
SELECT 'service_savings' AS driver, 'UC10' AS use_case, ticket_id AS unit_id,
       coalesce(assisted - social, 0.0) AS value,
       assisted IS NOT NULL AND social IS NOT NULL AS covered
FROM ticket_savings
UNION ALL
SELECT 'service_savings', 'UC11', thread_id, saving, assisted_cost_known
FROM stg_deflected_threads
UNION ALL
SELECT 'innovation',
       CASE WHEN source IN ('social', 'support', 'community') THEN 'UC12' ELSE 'UC13' END,
       idea_id,
       coalesce(realized_value, 0.0),
       realized_value IS NOT NULL
FROM stg_ideas
WHERE status = 'implemented' AND source <> 'employee'
ORDER BY driver, use_case, unit_id
