-- UC02 Social Marketing Insights: what each customer segment feels about the brand, what
-- people talk about, and how the brand's own posts engage, for the whole window and per month.
WITH periods AS (
    SELECT period FROM stg_periods
),

-- Net sentiment by segment ---------------------------------------------------------------
-- Counts per month and for the whole window come from one pass (GROUPING SETS; grouping(x) = 1
-- marks the row of the whole window).
-- own-brand mentions whose author (network, author_handle) is matched in social_identities,
-- with the segment of the linked contact
matched_mentions AS (
    SELECT m.period_month,
           coalesce(c.segment, 'unknown') AS segment,
           m.sentiment
    FROM stg_own_mentions m
    JOIN social_identities i
      ON i.network = m.network
     AND i.author_handle = m.author_handle
    LEFT JOIN contacts c ON c.contact_id = i.contact_id
),
-- the segments that occur in the window, reported for every period
segments AS (
    SELECT DISTINCT segment FROM matched_mentions
),
-- positive / negative / all matched mentions per period and segment
segment_counts AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           segment,
           count(*) AS mentions,
           sum(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS positive,
           sum(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS negative
    FROM matched_mentions
    GROUP BY GROUPING SETS ((period_month, segment), (segment))
),
-- the same over every segment (dimension null: all matched authors)
matched_totals AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS mentions,
           sum(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS positive,
           sum(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS negative
    FROM matched_mentions
    GROUP BY GROUPING SETS ((period_month), ())
),
net_sentiment AS (
    SELECT p.period, CAST(NULL AS VARCHAR) AS segment,
           coalesce(t.mentions, 0) AS mentions,
           coalesce(t.positive, 0) AS positive,
           coalesce(t.negative, 0) AS negative
    FROM periods p
    LEFT JOIN matched_totals t ON t.period = p.period
    UNION ALL
    SELECT p.period, s.segment,
           coalesce(c.mentions, 0),
           coalesce(c.positive, 0),
           coalesce(c.negative, 0)
    FROM periods p
    CROSS JOIN segments s
    LEFT JOIN segment_counts c ON c.period = p.period AND c.segment = s.segment
),

-- Topic share ------------------------------------------------------------------------------
-- own-brand mentions with the null topic named 'unknown'
own_topics AS (
    SELECT period_month, coalesce(topic, 'unknown') AS topic
    FROM stg_own_mentions
),
-- topics of the window; 'unknown' is always reported (the share of unclassified mentions)
topics AS (
    SELECT DISTINCT topic FROM own_topics
    UNION
    SELECT 'unknown' AS topic
),
topic_counts AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           topic,
           count(*) AS mentions
    FROM own_topics
    GROUP BY GROUPING SETS ((period_month, topic), (topic))
),
own_totals AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS mentions
    FROM own_topics
    GROUP BY GROUPING SETS ((period_month), ())
),
topic_share AS (
    SELECT p.period, t.topic,
           coalesce(c.mentions, 0) AS topic_mentions,
           coalesce(o.mentions, 0) AS own_mentions
    FROM periods p
    CROSS JOIN topics t
    LEFT JOIN topic_counts c ON c.period = p.period AND c.topic = t.topic
    LEFT JOIN own_totals o ON o.period = p.period
),

-- Brand post engagement ----------------------------------------------------------------------
brand_post_totals AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS posts,
           sum(reach) AS reach,
           sum(likes + shares + comments) AS engagements
    FROM stg_brand_posts
    GROUP BY GROUPING SETS ((period_month), ())
),
engagement AS (
    SELECT p.period,
           coalesce(b.posts, 0) AS posts,
           coalesce(b.reach, 0) AS reach,
           coalesce(b.engagements, 0) AS engagements
    FROM periods p
    LEFT JOIN brand_post_totals b ON b.period = p.period
)

SELECT 'uc02.net_sentiment' AS kpi, period,
       CASE WHEN segment IS NULL THEN NULL ELSE 'segment' END AS dimension,
       segment AS dimension_value,
       CAST(positive - negative AS DOUBLE) / NULLIF(mentions, 0) AS value,
       mentions AS n
FROM net_sentiment
UNION ALL
SELECT 'uc02.topic_share', period, 'topic', topic,
       CAST(topic_mentions AS DOUBLE) / NULLIF(own_mentions, 0), own_mentions
FROM topic_share
UNION ALL
SELECT 'uc02.brand_post_engagement_rate', period, NULL, NULL,
       CAST(engagements AS DOUBLE) / NULLIF(reach, 0), posts
FROM engagement
