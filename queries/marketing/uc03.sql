-- UC03 Rapid Social Marketing Response: how fast and how often the brand answers critical
-- mentions (negative, by influencers), and on which days negative buzz spikes beyond its
-- recent normal (alert days), for the whole window and per month.
WITH periods AS (
    SELECT period FROM stg_periods
),

-- Response to critical mentions -----------------------------------------------------------
-- counts, answered ones, answered within the SLA (compared in seconds) and the median
-- minutes, per month and for the whole window (GROUPING SETS; grouping(x) = 1 marks the row
-- of the whole window)
critical_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS critical_mentions,
           count(first_response_at) AS answered,
           sum(CASE WHEN first_response_at IS NOT NULL
                     AND extract(epoch FROM first_response_at) - extract(epoch FROM posted_at)
                         <= {{ response_sla_minutes }} * 60
                    THEN 1 ELSE 0 END) AS within_sla,
           median(first_response_minutes) AS median_response_minutes
    FROM stg_critical_mentions
    GROUP BY GROUPING SETS ((period_month), ())
),
response AS (
    SELECT p.period,
           coalesce(s.critical_mentions, 0) AS critical_mentions,
           coalesce(s.answered, 0) AS answered,
           coalesce(s.within_sla, 0) AS within_sla,
           s.median_response_minutes
    FROM periods p
    LEFT JOIN critical_stats s ON s.period = p.period
),

-- Alert days -----------------------------------------------------------------------------------
-- the data starts on the day of the earliest mention of any brand (listening coverage); the
-- baseline may use days before window_start, as long as they are inside the data
data_start AS (
    SELECT date_trunc('day', min(posted_at)) AS first_day FROM social_mentions
),
-- one row per day from the data start to the last day of the window
calendar AS (
    SELECT unnest(generate_series(first_day, {{ window_end }} - INTERVAL '1 day', INTERVAL '1 day')) AS day
    FROM data_start
    WHERE first_day IS NOT NULL
),
-- negative own-brand mentions per day (not restricted to the window: history counts)
negative_per_day AS (
    SELECT date_trunc('day', posted_at) AS day, count(*) AS negatives
    FROM social_mentions
    WHERE brand = {{ brand }}
      AND NOT is_brand_post
      AND sentiment = 'negative'
      AND posted_at < {{ window_end }}
    GROUP BY date_trunc('day', posted_at)
),
-- zero-filled daily counts
daily AS (
    SELECT c.day, CAST(coalesce(n.negatives, 0) AS DOUBLE) AS negatives
    FROM calendar c
    LEFT JOIN negative_per_day n ON n.day = c.day
),
-- mean and sample standard deviation of the 28 preceding days, and how many there are
baseline AS (
    SELECT day, negatives,
           avg(negatives) OVER (ORDER BY day ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING) AS mean_28d,
           stddev(negatives) OVER (ORDER BY day ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING) AS sd_28d,
           count(*) OVER (ORDER BY day ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING) AS history_days
    FROM daily
),
-- days of the window that have a full 28-day history are judged
judged AS (
    SELECT day,
           to_char(day, '%Y-%m') AS period_month,
           CASE WHEN negatives > mean_28d + 3 * sd_28d THEN 1 ELSE 0 END AS is_alert
    FROM baseline
    WHERE day >= {{ window_start }}
      AND history_days = 28
),
alert_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS judged_days,
           sum(is_alert) AS alert_days
    FROM judged
    GROUP BY GROUPING SETS ((period_month), ())
),
alerts AS (
    SELECT p.period,
           coalesce(a.judged_days, 0) AS judged_days,
           a.alert_days
    FROM periods p
    LEFT JOIN alert_stats a ON a.period = p.period
)

SELECT 'uc03.critical_mentions' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(critical_mentions AS DOUBLE) AS value, critical_mentions AS n
FROM response
UNION ALL
SELECT 'uc03.response_rate', period, NULL, NULL,
       CAST(answered AS DOUBLE) / NULLIF(critical_mentions, 0), critical_mentions
FROM response
UNION ALL
SELECT 'uc03.median_response_minutes', period, NULL, NULL,
       median_response_minutes, answered
FROM response
UNION ALL
SELECT 'uc03.sla_attainment', period, NULL, NULL,
       CAST(within_sla AS DOUBLE) / NULLIF(critical_mentions, 0), critical_mentions
FROM response
UNION ALL
SELECT 'uc03.alert_days', period, NULL, NULL,
       CAST(alert_days AS DOUBLE), judged_days
FROM alerts
