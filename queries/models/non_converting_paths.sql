-- Non-converting paths (spec attribution-and-roi.md): per contact, its touchpoints inside the
-- window that belong to no journey, in journey order. One path per contact at most.
WITH conversions AS (
    -- conversions in one order (contact, then time): the previous row is the contact's
    -- previous conversion when it has the same contact (as lag() partitioned by contact, which
    -- DataFusion 55 computes several times slower over a million small partitions)
    SELECT contact_id, converted_at,
           CASE WHEN previous_contact = contact_id THEN previous_converted_at END AS previous_at
    FROM (
        SELECT contact_id, converted_at,
               lag(contact_id) OVER w AS previous_contact,
               lag(converted_at) OVER w AS previous_converted_at
        FROM stg_conversions
        WHERE converted_at >= {{ window_start }}
          AND converted_at < {{ window_end }}
        WINDOW w AS (ORDER BY contact_id, converted_at, value)
    ) ordered
),
in_journey AS (
    SELECT DISTINCT t.touchpoint_id
    FROM touchpoints t
    JOIN conversions c
      ON t.contact_id = c.contact_id
     AND t.occurred_at <= c.converted_at
     AND t.occurred_at > c.converted_at - INTERVAL '{{ attribution_lookback_days }} days'
     AND (c.previous_at IS NULL OR t.occurred_at > c.previous_at)
)
SELECT t.contact_id, t.channel
FROM touchpoints t
LEFT JOIN in_journey j ON j.touchpoint_id = t.touchpoint_id
WHERE j.touchpoint_id IS NULL
  AND t.occurred_at >= {{ window_start }}
  AND t.occurred_at < {{ window_end }}
ORDER BY t.contact_id, t.occurred_at, t.touchpoint_id
