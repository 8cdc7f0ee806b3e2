-- The outcome series of a launch judged on support tickets (`[impact] outcome = "tickets"`):
-- tickets opened in the window, per day and scope cell (the contact's segment, industry and
-- country; the ticket's channel), and what they cost: each ticket at the cost per contact of
-- its channel in force on its day (the channel_costs row with the latest period_start on or
-- before it; none when the channel has no cost yet).
WITH tickets AS (
    SELECT t.ticket_id,
           CAST(t.opened_at AS DATE) AS opened_on,
           t.channel,
           c.segment,
           c.industry,
           c.country
    FROM stg_tickets t
    LEFT JOIN contacts c ON c.contact_id = t.contact_id
),
costed AS (
    SELECT t.*,
           k.cost_per_contact,
           row_number() OVER (PARTITION BY t.ticket_id ORDER BY k.period_start DESC) AS recency
    FROM tickets t
    LEFT JOIN channel_costs k ON k.channel = t.channel AND k.period_start <= t.opened_on
)
SELECT to_char(opened_on, '%Y-%m-%d') AS day,
       segment,
       industry,
       country,
       channel,
       CAST(count(*) AS DOUBLE) AS y,
       CAST(sum(CAST(cost_per_contact AS DECIMAL(38, 10))) AS DOUBLE) AS value,
       CAST(count(cost_per_contact) AS DOUBLE) AS valued
FROM costed
WHERE recency = 1
GROUP BY opened_on, segment, industry, country, channel
ORDER BY opened_on, segment, industry, country, channel
