-- UC07 Rapid Social Sales Response: how fast sales contacts leads captured from social
-- posts, and whether fast contact converts more leads into opportunities.
WITH periods AS (
    SELECT period FROM stg_periods
),
social_leads AS (
    -- leads created in the window that were captured from a social post, with the
    -- seconds from the post to the first sales touch (null when never contacted)
    SELECT l.lead_id,
           l.period_month,
           extract(epoch FROM l.first_contacted_at) - extract(epoch FROM m.posted_at) AS response_seconds
    FROM stg_leads l
    LEFT JOIN social_mentions m ON m.mention_id = l.source_mention_id
    WHERE l.source_mention_id IS NOT NULL
),
converted_leads AS (
    -- leads with at least one opportunity (any stage, created at any time)
    SELECT DISTINCT lead_id
    FROM opportunities
    WHERE lead_id IS NOT NULL
),
classified AS (
    -- fast = contacted within fast_response_minutes of the post (bound included);
    -- everything else (contacted later, never contacted) is slow
    SELECT s.lead_id,
           s.period_month,
           s.response_seconds / 60 AS response_minutes,
           coalesce(s.response_seconds <= {{ fast_response_minutes }} * 60, false) AS is_fast,
           c.lead_id IS NOT NULL AS converted
    FROM social_leads s
    LEFT JOIN converted_leads c ON c.lead_id = s.lead_id
),
stats AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS leads,
           count(response_minutes) AS contacted,
           median(response_minutes) AS median_response_minutes,
           sum(CASE WHEN is_fast THEN 1 ELSE 0 END) AS fast,
           sum(CASE WHEN is_fast AND converted THEN 1 ELSE 0 END) AS fast_converted,
           sum(CASE WHEN NOT is_fast THEN 1 ELSE 0 END) AS slow,
           sum(CASE WHEN NOT is_fast AND converted THEN 1 ELSE 0 END) AS slow_converted
    FROM classified
    GROUP BY GROUPING SETS ((period_month), ())
),
by_period AS (
    -- every reporting period, zero counts where no social lead was created
    SELECT p.period,
           coalesce(s.leads, 0) AS leads,
           coalesce(s.contacted, 0) AS contacted,
           s.median_response_minutes,
           coalesce(s.fast, 0) AS fast,
           coalesce(s.fast_converted, 0) AS fast_converted,
           coalesce(s.slow, 0) AS slow,
           coalesce(s.slow_converted, 0) AS slow_converted
    FROM periods p
    LEFT JOIN stats s ON s.period = p.period
)
SELECT 'uc07.social_leads' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(leads AS DOUBLE) AS value, leads AS n
FROM by_period
UNION ALL
SELECT 'uc07.median_response_minutes', period, NULL, NULL,
       CAST(median_response_minutes AS DOUBLE), contacted
FROM by_period
UNION ALL
SELECT 'uc07.conversion_rate_fast', period, NULL, NULL,
       CAST(fast_converted AS DOUBLE) / NULLIF(fast, 0), fast
FROM by_period
UNION ALL
SELECT 'uc07.conversion_rate_slow', period, NULL, NULL,
       CAST(slow_converted AS DOUBLE) / NULLIF(slow, 0), slow
FROM by_period
