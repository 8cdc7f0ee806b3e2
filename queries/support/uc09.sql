-- UC09 Social Support Insights: how much support happens on social and community
-- channels, what social tickets are about, and the mood of support-type mentions.
WITH periods AS (
    SELECT period FROM stg_periods
),
tickets AS (
    -- tickets opened in the window (null topic -> 'unknown')
    SELECT t.period_month, t.channel, coalesce(t.topic, 'unknown') AS topic FROM stg_tickets t
),
ticket_stats AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS tickets,
           sum(CASE WHEN channel IN ('social', 'community') THEN 1 ELSE 0 END) AS social_or_community,
           sum(CASE WHEN channel = 'social' THEN 1 ELSE 0 END) AS social
    FROM tickets
    GROUP BY GROUPING SETS ((period_month), ())
),
social_topics AS (
    -- topics of social tickets in the window
    SELECT DISTINCT topic FROM tickets WHERE channel = 'social'
),
topic_counts AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           topic,
           count(*) AS tickets
    FROM tickets
    WHERE channel = 'social'
    GROUP BY GROUPING SETS ((period_month, topic), (topic))
),
topic_grid AS (
    -- every period x every topic seen in the window, 0 where the month has none
    SELECT p.period, s.topic, coalesce(c.tickets, 0) AS tickets
    FROM periods p
    CROSS JOIN social_topics s
    LEFT JOIN topic_counts c ON c.period = p.period AND c.topic = s.topic
),
support_mentions AS (
    -- own-brand mentions in the window asking a question or complaining, per month and for the
    -- whole window (GROUPING SETS; grouping(x) = 1 marks the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS mentions,
           sum(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS positive,
           sum(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS negative
    FROM stg_own_mentions
    WHERE intent IN ('question', 'complaint')
    GROUP BY GROUPING SETS ((period_month), ())
),
by_period AS (
    SELECT p.period,
           coalesce(t.tickets, 0) AS tickets,
           coalesce(t.social_or_community, 0) AS social_or_community,
           coalesce(t.social, 0) AS social,
           coalesce(m.mentions, 0) AS mentions,
           coalesce(m.positive, 0) AS positive,
           coalesce(m.negative, 0) AS negative
    FROM periods p
    LEFT JOIN ticket_stats t ON t.period = p.period
    LEFT JOIN support_mentions m ON m.period = p.period
)
SELECT 'uc09.social_ticket_share' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(social_or_community AS DOUBLE) / NULLIF(tickets, 0) AS value, tickets AS n
FROM by_period
UNION ALL
-- total over all topics (dimension null): also guarantees a row when no social ticket exists
SELECT 'uc09.topic_volume', period, NULL, NULL, CAST(social AS DOUBLE), social
FROM by_period
UNION ALL
SELECT 'uc09.topic_volume', period, 'topic', topic, CAST(tickets AS DOUBLE), tickets
FROM topic_grid
UNION ALL
SELECT 'uc09.support_net_sentiment', period, NULL, NULL,
       CAST(positive - negative AS DOUBLE) / NULLIF(mentions, 0), mentions
FROM by_period
