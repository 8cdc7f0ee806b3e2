-- Journeys (docs/spec/attribution-and-roi.md): each conversion in the window with the contact's
-- touchpoints in (converted_at - attribution_lookback_days, converted_at] that come after the
-- contact's previous conversion, ordered by occurred_at, then touchpoint_id. A conversion
-- without such a touch has one row with a null channel (the pseudo-channel "(no touch)").
-- A touch's use case is its own, else its campaign's. Contact, margin and campaign feed the
-- ROI bootstrap (contacts are its units) and uc04.attributed_revenue (per campaign).
WITH touches AS (
    SELECT t.touchpoint_id, t.contact_id, t.occurred_at, t.channel, t.campaign_id,
           coalesce(t.use_case, k.use_case) AS use_case
    FROM touchpoints t
    LEFT JOIN campaigns k ON k.campaign_id = t.campaign_id
)
SELECT c.conversion_id,
       c.value,
       t.touchpoint_id,
       t.channel,
       t.use_case,
       (extract(epoch FROM c.converted_at) - extract(epoch FROM t.occurred_at)) / 86400 AS days_before,
       c.contact_id,
       c.margin,
       t.campaign_id
FROM stg_window_conversions c
LEFT JOIN touches t
       ON t.contact_id = c.contact_id
      AND t.occurred_at <= c.converted_at
      AND t.occurred_at > c.converted_at - INTERVAL '{{ attribution_lookback_days }} days'
      AND (c.previous_at IS NULL OR t.occurred_at > c.previous_at)
ORDER BY c.conversion_id, t.occurred_at, t.touchpoint_id
