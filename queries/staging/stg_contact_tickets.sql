-- Every ticket with a contact (any date), with the same contact's next ticket in the order
-- (opened_at, ticket_id): on a tie of opened_at the higher ticket_id is next. Shared by UC17
-- (repeat contacts) and the ROI's rescue units.
-- The tickets are put in one order (contact, then time): the next row is the contact's next
-- ticket when it has the same contact. Same rows as lead() partitioned by contact, which
-- DataFusion 55 computes ~7x slower over a million two-ticket partitions.
SELECT ticket_id,
       contact_id,
       channel,
       opened_at,
       CASE WHEN next_contact = contact_id THEN next_opened_at END AS next_opened_at,
       CASE WHEN next_contact = contact_id THEN next_channel END AS next_channel
FROM (
    SELECT ticket_id, contact_id, channel, opened_at,
           lead(contact_id) OVER w AS next_contact,
           lead(opened_at) OVER w AS next_opened_at,
           lead(channel) OVER w AS next_channel
    FROM tickets
    WHERE contact_id IS NOT NULL
    WINDOW w AS (ORDER BY contact_id, opened_at, ticket_id)
) ordered
