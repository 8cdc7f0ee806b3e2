-- The 5 M's (Monitoring, Mapping, Management, Middleware, Measurement): how ready the base
-- processes of every Social CRM use case are, for the whole window and per month.
WITH periods AS (
    SELECT period, period_start, period_end,
           (extract(epoch FROM period_end) - extract(epoch FROM period_start)) / 86400 AS days
    FROM stg_periods
),
-- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks the
-- row of the whole window)
monitoring AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(DISTINCT date_trunc('day', posted_at)) AS days_covered
    FROM stg_own_mentions
    GROUP BY GROUPING SETS ((period_month), ())
),
mapping AS (
    SELECT period, count(*) AS authors, sum(CASE WHEN matched THEN 1 ELSE 0 END) AS matched
    FROM stg_own_authors
    GROUP BY period
),
actionable AS (
    -- own-brand mentions that call for an answer; their responses may come after the window
    SELECT m.period_month, m.mention_id,
           count(r.response_id) AS responses,
           sum(CASE WHEN r.outcome IN ('ticket_created', 'lead_created') THEN 1 ELSE 0 END) AS routed
    FROM stg_own_mentions m
    LEFT JOIN social_responses r ON r.mention_id = m.mention_id
    WHERE m.intent IN ('question', 'complaint', 'purchase_intent')
    GROUP BY m.period_month, m.mention_id
),
management AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS mentions,
           sum(CASE WHEN responses > 0 THEN 1 ELSE 0 END) AS answered,
           sum(responses) AS responses,
           sum(routed) AS routed
    FROM actionable
    GROUP BY GROUPING SETS ((period_month), ())
),
cost_overlap AS (
    -- cost rows prorated by the days of [period_start, period_end] (both inclusive) that
    -- fall inside each reporting period
    SELECT p.period,
           c.use_case,
           c.amount
             * greatest(0, (extract(epoch FROM least(CAST(c.period_end AS TIMESTAMP) + INTERVAL '1 day', p.period_end))
                          - extract(epoch FROM greatest(CAST(c.period_start AS TIMESTAMP), p.period_start))) / 86400)
             / ((extract(epoch FROM CAST(c.period_end AS TIMESTAMP)) - extract(epoch FROM CAST(c.period_start AS TIMESTAMP))) / 86400 + 1)
             AS prorated
    FROM periods p
    CROSS JOIN costs c
),
measurement AS (
    SELECT period,
           CAST(sum(CAST(prorated AS DECIMAL(38, 10))) AS DOUBLE) AS total,
           CAST(sum(CAST(CASE WHEN use_case IS NOT NULL THEN prorated ELSE 0 END AS DECIMAL(38, 10))) AS DOUBLE) AS tagged,
           sum(CASE WHEN prorated > 0 THEN 1 ELSE 0 END) AS cost_rows
    FROM cost_overlap
    GROUP BY period
),
by_period AS (
    SELECT p.period, p.days,
           coalesce(mo.days_covered, 0) AS days_covered,
           coalesce(ma.authors, 0) AS authors,
           coalesce(ma.matched, 0) AS matched,
           coalesce(mg.mentions, 0) AS actionable,
           coalesce(mg.answered, 0) AS answered,
           coalesce(mg.responses, 0) AS responses,
           coalesce(mg.routed, 0) AS routed,
           me.total AS cost_total,
           me.tagged AS cost_tagged,
           coalesce(me.cost_rows, 0) AS cost_rows
    FROM periods p
    LEFT JOIN monitoring mo ON mo.period = p.period
    LEFT JOIN mapping ma ON ma.period = p.period
    LEFT JOIN management mg ON mg.period = p.period
    LEFT JOIN measurement me ON me.period = p.period
)
SELECT 'm.monitoring_days_covered' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       days_covered / NULLIF(days, 0) AS value, CAST(days AS BIGINT) AS n
FROM by_period
UNION ALL
SELECT 'm.mapping_rate', period, NULL, NULL, CAST(matched AS DOUBLE) / NULLIF(authors, 0), authors
FROM by_period
UNION ALL
SELECT 'm.management_response_rate', period, NULL, NULL, CAST(answered AS DOUBLE) / NULLIF(actionable, 0), actionable
FROM by_period
UNION ALL
SELECT 'm.middleware_rate', period, NULL, NULL, CAST(routed AS DOUBLE) / NULLIF(responses, 0), responses
FROM by_period
UNION ALL
SELECT 'm.measurement_cost_coverage', period, NULL, NULL, cost_tagged / NULLIF(cost_total, 0), cost_rows
FROM by_period
