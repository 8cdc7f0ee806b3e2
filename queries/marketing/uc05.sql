-- UC05 Social Event Management: attendance, online share, cost per attendee and social
-- buzz of each event starting in the window, per event and over all events (dimension null),
-- for the whole window and for the month the event starts in.
WITH periods AS (
    SELECT period FROM stg_periods
),
-- events belong to the window (and to a month) by their start_date
window_events AS (
    SELECT e.event_id,
           to_char(CAST(e.start_date AS TIMESTAMP), '%Y-%m') AS period_month,
           e.cost,
           e.registrations,
           e.attendees_onsite + e.attendees_online AS attendees,
           e.attendees_online
    FROM events e
    WHERE CAST(e.start_date AS TIMESTAMP) >= {{ window_start }}
      AND CAST(e.start_date AS TIMESTAMP) < {{ window_end }}
),
-- mentions tagged with each event, whatever their date (teasers before and echoes after the
-- event count with it) and whoever posted them (brand posts included)
event_buzz AS (
    SELECT event_id, count(*) AS mentions
    FROM social_mentions
    WHERE event_id IS NOT NULL
    GROUP BY event_id
),
-- each event with the mentions tagged with it
tagged_events AS (
    SELECT w.*, coalesce(b.mentions, 0) AS mentions
    FROM window_events w
    LEFT JOIN event_buzz b ON b.event_id = w.event_id
),
-- each event in the whole window and in its start month (both rows of the period grid)
events_by_period AS (
    SELECT p.period, e.*
    FROM tagged_events e
    JOIN stg_periods p ON p.period = 'all' OR p.period = e.period_month
),
-- all events of a period pooled (sums, not a mean of per-event ratios), per month and for the
-- whole window in one pass (GROUPING SETS; grouping(x) = 1 marks the row of the whole window)
event_totals AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           sum(registrations) AS registrations,
           sum(attendees) AS attendees,
           sum(attendees_online) AS attendees_online,
           CAST(sum(CAST(cost AS DECIMAL(38, 10))) AS DOUBLE) AS cost,
           sum(mentions) AS mentions
    FROM tagged_events
    GROUP BY GROUPING SETS ((period_month), ())
),
rows AS (
    SELECT p.period, CAST(NULL AS VARCHAR) AS event_id,
           coalesce(t.registrations, 0) AS registrations,
           coalesce(t.attendees, 0) AS attendees,
           coalesce(t.attendees_online, 0) AS attendees_online,
           coalesce(t.cost, 0) AS cost,
           coalesce(t.mentions, 0) AS mentions
    FROM periods p
    LEFT JOIN event_totals t ON t.period = p.period
    UNION ALL
    SELECT period, event_id, registrations, attendees, attendees_online, cost, mentions
    FROM events_by_period
)

SELECT 'uc05.attendance_rate' AS kpi, period,
       CASE WHEN event_id IS NULL THEN NULL ELSE 'event_id' END AS dimension,
       event_id AS dimension_value,
       CAST(attendees AS DOUBLE) / NULLIF(registrations, 0) AS value, registrations AS n
FROM rows
UNION ALL
SELECT 'uc05.online_share', period,
       CASE WHEN event_id IS NULL THEN NULL ELSE 'event_id' END, event_id,
       CAST(attendees_online AS DOUBLE) / NULLIF(attendees, 0), attendees
FROM rows
UNION ALL
SELECT 'uc05.cost_per_attendee', period,
       CASE WHEN event_id IS NULL THEN NULL ELSE 'event_id' END, event_id,
       CAST(cost AS DOUBLE) / NULLIF(attendees, 0), attendees
FROM rows
UNION ALL
SELECT 'uc05.event_mentions', period,
       CASE WHEN event_id IS NULL THEN NULL ELSE 'event_id' END, event_id,
       CAST(mentions AS DOUBLE), mentions
FROM rows
