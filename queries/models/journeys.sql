-- Journeys (spec attribution-and-roi.md): each conversion in the window with the contact's
-- touchpoints in (converted_at - attribution_lookback_days, converted_at] that come after the
-- contact's previous conversion, ordered by occurred_at, then touchpoint_id. A conversion
-- without such a touch has one row with a null channel (the pseudo-channel "(no touch)").
-- A touch's use case is its own, else its campaign's. Contact, margin and campaign feed the
-- ROI bootstrap (contacts are its units) and uc04.attributed_revenue (per campaign).
WITH conversions AS (
    -- conversions in one order (contact, then time): the previous row is the contact's
    -- previous conversion when it has the same contact (as lag() partitioned by contact, which
    -- DataFusion 55 computes several times slower over a million small partitions)
    SELECT contact_id, converted_at, value, margin,
           CASE WHEN previous_contact = contact_id THEN previous_converted_at END AS previous_at,
           conversion_id
    FROM (
        SELECT contact_id, converted_at, value, margin,
               lag(contact_id) OVER w AS previous_contact,
               lag(converted_at) OVER w AS previous_converted_at,
               row_number() OVER w AS conversion_id
        FROM stg_conversions
        WHERE converted_at >= {{ window_start }}
          AND converted_at < {{ window_end }}
        WINDOW w AS (ORDER BY contact_id, converted_at, value)
    ) ordered
),
touches AS (
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
FROM conversions c
LEFT JOIN touches t
       ON t.contact_id = c.contact_id
      AND t.occurred_at <= c.converted_at
      AND t.occurred_at > c.converted_at - INTERVAL '{{ attribution_lookback_days }} days'
      AND (c.previous_at IS NULL OR t.occurred_at > c.previous_at)
ORDER BY c.conversion_id, t.occurred_at, t.touchpoint_id
