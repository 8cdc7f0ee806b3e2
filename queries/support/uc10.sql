-- UC10 Rapid Social Support Response: response and resolution times of social tickets,
-- satisfaction per channel, and what a contact costs on each channel.
WITH periods AS (
    SELECT period FROM stg_periods
),
social_tickets AS (
    -- social tickets opened in the window; response and resolution may come after it
    SELECT t.period_month,
           (extract(epoch FROM t.first_response_at) - extract(epoch FROM t.opened_at)) AS response_seconds,
           (extract(epoch FROM t.resolved_at) - extract(epoch FROM t.opened_at)) AS resolution_seconds
    FROM stg_tickets t
    WHERE t.channel = 'social'
),
social_stats AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS tickets,
           count(response_seconds) AS answered,
           median(response_seconds / 60) AS median_response_minutes,
           -- unanswered tickets count as missed (null comparison -> 0)
           sum(CASE WHEN response_seconds <= {{ support_sla_minutes }} * 60 THEN 1 ELSE 0 END) AS within_sla,
           count(resolution_seconds) AS resolved,
           median(resolution_seconds / 3600) AS median_resolution_hours
    FROM social_tickets
    GROUP BY GROUPING SETS ((period_month), ())
),
social_grid AS (
    SELECT p.period,
           coalesce(s.tickets, 0) AS tickets,
           coalesce(s.answered, 0) AS answered,
           s.median_response_minutes,
           coalesce(s.within_sla, 0) AS within_sla,
           coalesce(s.resolved, 0) AS resolved,
           s.median_resolution_hours
    FROM periods p
    LEFT JOIN social_stats s ON s.period = p.period
),
csat_channels AS (
    SELECT DISTINCT channel FROM stg_tickets
),
csat_stats AS (
    -- every ticket opened in the window (all channels), per channel and over all channels
    -- (all_channels), per month and for the whole window, in one pass
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           channel,
           grouping(channel) = 1 AS all_channels,
           avg(CAST(csat AS DOUBLE)) AS csat,
           count(csat) AS rated
    FROM stg_tickets
    GROUP BY GROUPING SETS ((period_month, channel), (channel), (period_month), ())
),
csat_grid AS (
    -- every period x every channel with tickets in the window; null where none rated
    SELECT p.period, c.channel, s.csat, coalesce(s.rated, 0) AS rated
    FROM periods p
    CROSS JOIN csat_channels c
    LEFT JOIN csat_stats s
           ON s.period = p.period AND s.channel = c.channel AND NOT s.all_channels
),
csat_total_grid AS (
    SELECT p.period, s.csat, coalesce(s.rated, 0) AS rated
    FROM periods p
    LEFT JOIN csat_stats s ON s.period = p.period AND s.all_channels
),
cost_channels AS (
    SELECT DISTINCT channel FROM channel_costs
),
cost_candidates AS (
    -- as-of lookup: channel_costs rows with period_start on or before the window end,
    -- latest first per channel
    SELECT channel,
           cost_per_contact,
           row_number() OVER (PARTITION BY channel ORDER BY period_start DESC) AS recency
    FROM channel_costs
    WHERE CAST(period_start AS TIMESTAMP) < {{ window_end }}
),
cost_at_window_end AS (
    -- every channel known to channel_costs; null when its first row starts after the window
    SELECT c.channel,
           k.cost_per_contact,
           CASE WHEN k.cost_per_contact IS NULL THEN 0 ELSE 1 END AS cost_rows
    FROM cost_channels c
    LEFT JOIN cost_candidates k ON k.channel = c.channel AND k.recency = 1
)
SELECT 'uc10.median_first_response_minutes' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(median_response_minutes AS DOUBLE) AS value, answered AS n
FROM social_grid
UNION ALL
SELECT 'uc10.sla_attainment', period, NULL, NULL,
       CAST(within_sla AS DOUBLE) / NULLIF(tickets, 0), tickets
FROM social_grid
UNION ALL
SELECT 'uc10.median_resolution_hours', period, NULL, NULL,
       CAST(median_resolution_hours AS DOUBLE), resolved
FROM social_grid
UNION ALL
SELECT 'uc10.csat', period, 'channel', channel, csat, rated
FROM csat_grid
UNION ALL
-- all channels together (dimension null)
SELECT 'uc10.csat', period, NULL, NULL, csat, rated
FROM csat_total_grid
UNION ALL
SELECT 'uc10.cost_per_contact', 'all', 'channel', channel, CAST(cost_per_contact AS DOUBLE), cost_rows
FROM cost_at_window_end
