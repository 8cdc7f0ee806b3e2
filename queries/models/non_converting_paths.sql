-- Non-converting touches (docs/spec/attribution-and-roi.md): per contact, its touchpoints inside
-- the window that belong to no journey, in journey order, with their time. The attribution
-- code cuts them into the non-converting paths: spans of at most attribution_lookback_days
-- (src/analyses/attribution/journeys.rs, `spans`).
WITH in_journey AS (
    SELECT DISTINCT t.touchpoint_id
    FROM touchpoints t
    JOIN stg_window_conversions c
      ON t.contact_id = c.contact_id
     AND t.occurred_at <= c.converted_at
     AND t.occurred_at > c.converted_at - INTERVAL '{{ attribution_lookback_days }} days'
     AND (c.previous_at IS NULL OR t.occurred_at > c.previous_at)
)
SELECT t.contact_id, t.channel,
       CAST(extract(epoch FROM t.occurred_at) AS DOUBLE) AS occurred_epoch
FROM touchpoints t
LEFT JOIN in_journey j ON j.touchpoint_id = t.touchpoint_id
WHERE j.touchpoint_id IS NULL
  AND t.occurred_at >= {{ window_start }}
  AND t.occurred_at < {{ window_end }}
ORDER BY t.contact_id, t.occurred_at, t.touchpoint_id
