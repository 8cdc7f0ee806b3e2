-- Social Business maturity (DOMAIN.md; issue 6): the indicators the stage rules need that
-- are not KPIs already, per period ('all' and each month of the window): indicator, value, n.
-- The others (5 M's rates, uc10/uc11/uc13/uc14/uc16/uc17 KPIs) are read from kpi_values.
WITH own AS (
    SELECT mention_id, network, intent, posted_at, period_month FROM stg_own_mentions
),
own_p AS (
    SELECT 'all' AS period, o.* FROM own o
    UNION ALL
    SELECT period_month AS period, o.* FROM own o
),
posts_p AS (
    SELECT 'all' AS period, reach FROM stg_brand_posts
    UNION ALL
    SELECT period_month AS period, reach FROM stg_brand_posts
),
first_response AS (
    SELECT mention_id, min(responded_at) AS first_at FROM social_responses GROUP BY mention_id
),
responses_p AS (
    SELECT o.period, r.team
    FROM own_p o
    JOIN social_responses r ON r.mention_id = o.mention_id
),
team_counts AS (
    SELECT period, team, count(*) AS responses FROM responses_p GROUP BY period, team
),
team_rank AS (
    SELECT period, team, responses,
           sum(responses) OVER (PARTITION BY period) AS total,
           row_number() OVER (PARTITION BY period ORDER BY responses DESC, team) AS position
    FROM team_counts
),
ideas_p AS (
    SELECT 'all' AS period, status FROM stg_ideas WHERE source <> 'employee'
    UNION ALL
    SELECT period_month AS period, status FROM stg_ideas WHERE source <> 'employee'
),
idea_counts AS (
    SELECT period, count(*) AS ideas FROM ideas_p GROUP BY period
),
case_departments AS (
    SELECT s.period_month, e.department
    FROM stg_cases s
    JOIN collaborations c ON c.case_type = s.case_type AND c.case_id = s.case_id
    JOIN employees e ON e.employee_id = c.employee_id
),
case_departments_p AS (
    SELECT 'all' AS period, department FROM case_departments
    UNION ALL
    SELECT period_month AS period, department FROM case_departments
),
buyers_p AS (
    SELECT 'all' AS period, contact_id FROM orders
    WHERE ordered_at >= {{ window_start }} AND ordered_at < {{ window_end }}
    UNION ALL
    SELECT to_char(ordered_at, '%Y-%m') AS period, contact_id FROM orders
    WHERE ordered_at >= {{ window_start }} AND ordered_at < {{ window_end }}
),
months AS (
    SELECT period,
           CASE WHEN period = 'all' THEN (SELECT count(*) FROM stg_periods WHERE period <> 'all')
                ELSE 1 END AS months
    FROM stg_periods
)
SELECT p.period, 'brand_posts' AS indicator, CAST(count(b.reach) AS DOUBLE) AS value, count(b.reach) AS n
FROM stg_periods p LEFT JOIN posts_p b ON b.period = p.period
GROUP BY p.period
UNION ALL
SELECT p.period, 'brand_post_reach', CAST(coalesce(sum(b.reach), 0) AS DOUBLE), count(b.reach)
FROM stg_periods p LEFT JOIN posts_p b ON b.period = p.period
GROUP BY p.period
UNION ALL
SELECT p.period, 'monitored_networks', CAST(count(DISTINCT o.network) AS DOUBLE), count(o.mention_id)
FROM stg_periods p LEFT JOIN own_p o ON o.period = p.period
GROUP BY p.period
UNION ALL
SELECT p.period, 'question_complaint_response_rate',
       CAST(count(f.mention_id) AS DOUBLE) / NULLIF(count(o.mention_id), 0), count(o.mention_id)
FROM stg_periods p
LEFT JOIN own_p o ON o.period = p.period AND o.intent IN ('question', 'complaint')
LEFT JOIN first_response f ON f.mention_id = o.mention_id
GROUP BY p.period
UNION ALL
SELECT p.period, 'median_response_minutes',
       median((extract(epoch FROM f.first_at) - extract(epoch FROM o.posted_at)) / 60.0),
       count(f.mention_id)
FROM stg_periods p
LEFT JOIN own_p o ON o.period = p.period
LEFT JOIN first_response f ON f.mention_id = o.mention_id
GROUP BY p.period
UNION ALL
SELECT p.period, 'responding_teams', CAST(count(DISTINCT t.team) AS DOUBLE), coalesce(sum(t.responses), 0)
FROM stg_periods p LEFT JOIN team_counts t ON t.period = p.period
GROUP BY p.period
UNION ALL
SELECT p.period, 'top_team_response_share',
       max(CAST(t.responses AS DOUBLE) / t.total), coalesce(max(t.total), 0)
FROM stg_periods p LEFT JOIN team_rank t ON t.period = p.period AND t.position = 1
GROUP BY p.period
UNION ALL
SELECT p.period, 'other_case_departments',
       CAST(count(DISTINCT CASE WHEN d.department <> coalesce(t.team, '') THEN d.department END) AS DOUBLE),
       count(d.department)
FROM stg_periods p
LEFT JOIN case_departments_p d ON d.period = p.period
LEFT JOIN team_rank t ON t.period = p.period AND t.position = 1
GROUP BY p.period
UNION ALL
SELECT p.period, 'customer_idea_acceptance',
       CAST(sum(CASE WHEN i.status IN ('accepted', 'implemented') THEN 1 ELSE 0 END) AS DOUBLE)
           / NULLIF(count(i.status), 0),
       count(i.status)
FROM stg_periods p LEFT JOIN ideas_p i ON i.period = p.period
GROUP BY p.period
UNION ALL
SELECT p.period, 'ideas_per_1000_customers_month',
       CAST(max(coalesce(k.ideas, 0)) AS DOUBLE)
           / NULLIF(count(DISTINCT b.contact_id) / 1000.0, 0) / max(m.months),
       count(DISTINCT b.contact_id)
FROM stg_periods p
JOIN months m ON m.period = p.period
LEFT JOIN idea_counts k ON k.period = p.period
LEFT JOIN buyers_p b ON b.period = p.period
GROUP BY p.period
ORDER BY 1, 2
