-- UC12 Social Innovation Insights: ideas that reached the company through listening
-- (social, support, community), for the whole window and per month, in total and by topic.
WITH periods AS (
    SELECT period FROM stg_periods
),
listening_ideas AS (
    -- ideas submitted in the window whose source is a listening channel; null topic → 'unknown'
    SELECT idea_id,
           period_month,
           coalesce(topic, 'unknown') AS topic
    FROM stg_ideas
    WHERE source IN ('social', 'support', 'community')
),
volume AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS ideas
    FROM listening_ideas
    GROUP BY GROUPING SETS ((period_month), ())
),
topics AS (
    -- every topic met among listening ideas of the window
    SELECT DISTINCT topic FROM listening_ideas
),
topic_volume AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           topic,
           count(*) AS ideas
    FROM listening_ideas
    GROUP BY GROUPING SETS ((period_month, topic), (topic))
),
by_period AS (
    SELECT p.period, coalesce(v.ideas, 0) AS ideas
    FROM periods p
    LEFT JOIN volume v ON v.period = p.period
),
by_period_topic AS (
    -- every period × topic, 0 when the topic had no idea that month
    SELECT p.period, t.topic, coalesce(tv.ideas, 0) AS ideas
    FROM periods p
    CROSS JOIN topics t
    LEFT JOIN topic_volume tv ON tv.period = p.period AND tv.topic = t.topic
)
SELECT 'uc12.ideas_from_listening' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(ideas AS DOUBLE) AS value, ideas AS n
FROM by_period
UNION ALL
SELECT 'uc12.topic_volume', period, 'topic', topic, CAST(ideas AS DOUBLE), ideas
FROM by_period_topic
