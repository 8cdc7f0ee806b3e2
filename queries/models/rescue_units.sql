-- Customers kept (issue 10): the with/without comparison behind the `retention_value` driver
-- of UC03 and UC17 in the ROI (evidence `correlation`). One row per contact: use_case,
-- contact_id, exposed, churned.
--  * UC03: contacts (through social_identities) who posted a critical mention in the window
--    (stg_critical_mentions); exposed = at least one of them was answered.
--  * UC17: contacts with a ticket opened in the window; exposed = none of those tickets was
--    followed by another ticket of the contact within 7 days (uc17.repeat_contact_rate's
--    repeat); the comparison group had to come back.
-- churned = contacts.churned_at on or after the contact's first such mention / ticket and
-- before window_end; contacts who had churned before it are left out (nothing to keep).
WITH critical AS (
    SELECT i.contact_id,
           min(c.posted_at) AS first_at,
           max(CASE WHEN c.first_response_at IS NOT NULL THEN 1 ELSE 0 END) AS answered
    FROM stg_critical_mentions c
    JOIN social_identities i
      ON i.network = c.network AND i.author_handle = c.author_handle
    GROUP BY i.contact_id
),
served AS (
    SELECT contact_id,
           min(opened_at) AS first_at,
           max(CASE WHEN next_opened_at IS NOT NULL
                     AND extract(epoch FROM next_opened_at) - extract(epoch FROM opened_at) <= 7 * 86400
                    THEN 1 ELSE 0 END) AS repeated
    FROM stg_contact_tickets
    WHERE opened_at >= {{ window_start }} AND opened_at < {{ window_end }}
    GROUP BY contact_id
),
groups AS (
    SELECT 'UC03' AS use_case, contact_id, first_at, answered = 1 AS exposed FROM critical
    UNION ALL
    SELECT 'UC17' AS use_case, contact_id, first_at, repeated = 0 AS exposed FROM served
)
SELECT g.use_case,
       g.contact_id,
       g.exposed,
       coalesce(c.churned_at >= g.first_at AND c.churned_at < {{ window_end }}, false) AS churned
FROM groups g
JOIN contacts c ON c.contact_id = g.contact_id
WHERE c.churned_at IS NULL OR c.churned_at >= g.first_at
ORDER BY g.use_case, g.contact_id
