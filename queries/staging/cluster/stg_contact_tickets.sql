-- stg_contact_tickets as it runs on a Ballista cluster: the same rows, with lead()
-- partitioned by contact. The local form's one global ordering (ORDER BY contact_id, …
-- without PARTITION BY) returned every ticket twice on a cluster of two executors (Ballista
-- 55; UC17's tickets, repeats and switches all doubled, found by the cluster test with two
-- executor processes); a window partitioned by contact is planned as a hash repartition and
-- comes out once.
SELECT ticket_id, contact_id, channel, opened_at,
       lead(opened_at) OVER w AS next_opened_at,
       lead(channel) OVER w AS next_channel
FROM tickets
WHERE contact_id IS NOT NULL
WINDOW w AS (PARTITION BY contact_id ORDER BY opened_at, ticket_id)
