-- Voice of the customer across channels (docs/domain.md; issue 6): per period ('all' and each
-- month of the window) and channel, the contacts handled (tickets opened in the period by
-- their channel, plus community threads created in the period as `community` contacts),
-- their share of the period's contacts, the cost per contact in force at the period's end
-- (channel_costs row with the latest period_start before period_end; null when none) and
-- the cost (contacts x cost per contact). Repeat-contact rates come from uc17.repeat_contact_rate.
WITH contacts AS (
    SELECT channel, period_month FROM stg_tickets
    UNION ALL
    SELECT 'community' AS channel, period_month FROM stg_threads
),
counts AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           channel,
           count(*) AS contacts
    FROM contacts
    GROUP BY GROUPING SETS ((period_month, channel), (channel))
),
totals AS (
    SELECT period, sum(contacts) AS period_contacts FROM counts GROUP BY period
),
cost_candidates AS (
    SELECT p.period, k.channel, k.cost_per_contact,
           row_number() OVER (PARTITION BY p.period, k.channel ORDER BY k.period_start DESC) AS recency
    FROM stg_periods p
    JOIN channel_costs k ON CAST(k.period_start AS TIMESTAMP) < p.period_end
)
SELECT c.period,
       c.channel,
       c.contacts,
       CAST(c.contacts AS DOUBLE) / t.period_contacts AS share,
       k.cost_per_contact,
       c.contacts * k.cost_per_contact AS cost
FROM counts c
JOIN totals t ON t.period = c.period
LEFT JOIN cost_candidates k ON k.period = c.period AND k.channel = c.channel AND k.recency = 1
ORDER BY c.period = 'all' DESC, c.period, c.contacts DESC, c.channel
