-- UC17 Seamless Customer Experience: Net Promoter Score of the window, and how often a
-- customer has to come back within 7 days after a ticket, and on another channel.
-- A repeat counts in the month of the FIRST ticket (the one opened in the window); its
-- next ticket may lie in a later month or after the window end.
WITH periods AS (
    SELECT period FROM stg_periods
),
nps_in_window AS (
    -- NPS answers given in the window: promoter 9-10, detractor 0-6, passive 7-8
    SELECT to_char(responded_at, '%Y-%m') AS period_month,
           CASE WHEN score >= 9 THEN 1 ELSE 0 END AS promoter,
           CASE WHEN score <= 6 THEN 1 ELSE 0 END AS detractor
    FROM nps_responses
    WHERE responded_at >= {{ window_start }}
      AND responded_at < {{ window_end }}
),
nps AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS responses,
           sum(promoter) AS promoters,
           sum(detractor) AS detractors
    FROM nps_in_window
    GROUP BY GROUPING SETS ((period_month), ())
),
window_tickets AS (
    -- tickets opened in the window; repeat = next ticket within 7 days (604800 s, inclusive)
    SELECT to_char(opened_at, '%Y-%m') AS period_month,
           channel,
           CASE WHEN next_opened_at IS NOT NULL
                 AND extract(epoch FROM next_opened_at) - extract(epoch FROM opened_at) <= 7 * 86400
                THEN 1 ELSE 0 END AS is_repeat,
           CASE WHEN next_opened_at IS NOT NULL
                 AND extract(epoch FROM next_opened_at) - extract(epoch FROM opened_at) <= 7 * 86400
                 AND next_channel <> channel
                THEN 1 ELSE 0 END AS is_switch
    FROM stg_contact_tickets
    WHERE opened_at >= {{ window_start }}
      AND opened_at < {{ window_end }}
),
repeats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS tickets,
           sum(is_repeat) AS repeats,
           sum(is_switch) AS switches
    FROM window_tickets
    GROUP BY GROUPING SETS ((period_month), ())
),
repeats_by_channel AS (
    -- breakdown by the channel of the first ticket
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           channel,
           count(*) AS tickets,
           sum(is_repeat) AS repeats,
           sum(is_switch) AS switches
    FROM window_tickets
    GROUP BY GROUPING SETS ((period_month, channel), (channel))
),
by_period AS (
    SELECT p.period,
           coalesce(n.responses, 0) AS responses,
           coalesce(n.promoters, 0) AS promoters,
           coalesce(n.detractors, 0) AS detractors,
           coalesce(r.tickets, 0) AS tickets,
           coalesce(r.repeats, 0) AS repeats,
           coalesce(r.switches, 0) AS switches
    FROM periods p
    LEFT JOIN nps n ON n.period = p.period
    LEFT JOIN repeats r ON r.period = p.period
)
SELECT 'uc17.nps' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(promoters - detractors AS DOUBLE) * 100 / NULLIF(responses, 0) AS value,
       responses AS n
FROM by_period
UNION ALL
SELECT 'uc17.repeat_contact_rate', period, NULL, NULL,
       CAST(repeats AS DOUBLE) / NULLIF(tickets, 0), tickets
FROM by_period
UNION ALL
SELECT 'uc17.channel_switch_rate', period, NULL, NULL,
       CAST(switches AS DOUBLE) / NULLIF(repeats, 0), repeats
FROM by_period
UNION ALL
SELECT 'uc17.repeat_contact_rate', period, 'channel', channel,
       CAST(repeats AS DOUBLE) / NULLIF(tickets, 0), tickets
FROM repeats_by_channel
UNION ALL
SELECT 'uc17.channel_switch_rate', period, 'channel', channel,
       CAST(switches AS DOUBLE) / NULLIF(repeats, 0), repeats
FROM repeats_by_channel
