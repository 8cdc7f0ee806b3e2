-- Conversions in the window (docs/spec/attribution-and-roi.md), numbered in the order (contact,
-- converted_at, value), with the contact's previous conversion (`previous_at`), wherever it
-- lies: in the window or before it (a journey starts after it). Shared by the journeys and
-- the non-converting paths.
-- The conversions up to the window's end are put in one order (contact, then time): the
-- previous row is the contact's previous conversion when it has the same contact (as lag()
-- partitioned by contact, which DataFusion 55 computes several times slower over a million
-- partitions). Only then are the window's conversions kept and numbered.
SELECT contact_id,
       converted_at,
       value,
       margin,
       previous_at,
       row_number() OVER (ORDER BY contact_id, converted_at, value) AS conversion_id
FROM (
    SELECT contact_id, converted_at, value, margin,
           CASE WHEN previous_contact = contact_id THEN previous_converted_at END AS previous_at
    FROM (
        SELECT contact_id, converted_at, value, margin,
               lag(contact_id) OVER w AS previous_contact,
               lag(converted_at) OVER w AS previous_converted_at
        FROM stg_conversions
        WHERE converted_at < {{ window_end }}
        WINDOW w AS (ORDER BY contact_id, converted_at, value)
    ) ordered
) with_previous
WHERE converted_at >= {{ window_start }}
