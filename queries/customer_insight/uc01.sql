-- UC01 Social Customer Insights: volume, sentiment, share of voice and identity matching
-- of own-brand mentions, for the whole window and per month.
WITH periods AS (
    SELECT period FROM stg_periods
),
-- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks the
-- row of the whole window)
volume AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS mentions,
           sum(CASE WHEN sentiment = 'positive' THEN 1 ELSE 0 END) AS positive,
           sum(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) AS negative
    FROM stg_own_mentions
    GROUP BY GROUPING SETS ((period_month), ())
),
voice AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS mentions,
           sum(CASE WHEN brand = {{ brand }} THEN 1 ELSE 0 END) AS own
    FROM stg_mentions
    WHERE NOT is_brand_post
    GROUP BY GROUPING SETS ((period_month), ())
),
matching AS (
    SELECT period,
           count(*) AS authors,
           sum(CASE WHEN matched THEN 1 ELSE 0 END) AS matched
    FROM stg_own_authors
    GROUP BY period
),
by_period AS (
    SELECT p.period,
           coalesce(v.mentions, 0) AS mentions,
           coalesce(v.positive, 0) AS positive,
           coalesce(v.negative, 0) AS negative,
           coalesce(s.mentions, 0) AS all_mentions,
           coalesce(s.own, 0) AS own,
           coalesce(m.authors, 0) AS authors,
           coalesce(m.matched, 0) AS matched
    FROM periods p
    LEFT JOIN volume v ON v.period = p.period
    LEFT JOIN voice s ON s.period = p.period
    LEFT JOIN matching m ON m.period = p.period
)
SELECT 'uc01.mention_volume' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(mentions AS DOUBLE) AS value, mentions AS n
FROM by_period
UNION ALL
SELECT 'uc01.net_sentiment', period, NULL, NULL,
       CAST(positive - negative AS DOUBLE) / NULLIF(mentions, 0), mentions
FROM by_period
UNION ALL
SELECT 'uc01.share_of_voice', period, NULL, NULL,
       CAST(own AS DOUBLE) / NULLIF(all_mentions, 0), all_mentions
FROM by_period
UNION ALL
SELECT 'uc01.identity_match_rate', period, NULL, NULL,
       CAST(matched AS DOUBLE) / NULLIF(authors, 0), authors
FROM by_period
