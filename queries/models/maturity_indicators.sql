-- Social Business maturity (docs/domain.md; issue 6): the indicators the stage rules need that
-- are not KPIs already, per period ('all' and each month of the window): indicator, value, n.
-- The others (5 M's rates, uc10/uc11/uc13/uc14/uc16/uc17 KPIs) are read from kpi_values.
--
-- Each source is aggregated once per month and for the whole window in the same pass
-- (GROUPING SETS; grouping(x) = 1 marks the row of the whole window), and mentions meet their
-- first response before any aggregation: no row is repeated per period.
WITH first_response AS (
    SELECT mention_id, min(responded_at) AS first_at FROM social_responses GROUP BY mention_id
),
-- own-brand mentions with their first response, if any
own_facts AS (
    SELECT o.period_month,
           o.network,
           CASE WHEN o.intent IN ('question', 'complaint') THEN 1 ELSE 0 END AS asks,
           CASE WHEN o.intent IN ('question', 'complaint') AND f.mention_id IS NOT NULL
                THEN 1 ELSE 0 END AS asks_answered,
           (extract(epoch FROM f.first_at) - extract(epoch FROM o.posted_at)) / 60.0 AS response_minutes
    FROM stg_own_mentions o
    LEFT JOIN first_response f ON f.mention_id = o.mention_id
),
own_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS mentions,
           count(DISTINCT network) AS networks,
           sum(asks) AS asks,
           sum(asks_answered) AS asks_answered,
           median(response_minutes) AS median_response_minutes,
           count(response_minutes) AS answered
    FROM own_facts
    GROUP BY GROUPING SETS ((period_month), ())
),
post_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(reach) AS posts,
           sum(reach) AS reach
    FROM stg_brand_posts
    GROUP BY GROUPING SETS ((period_month), ())
),
-- responses to own-brand mentions per team
team_counts AS (
    SELECT CASE WHEN grouping(o.period_month) = 1 THEN 'all' ELSE o.period_month END AS period,
           r.team,
           count(*) AS responses
    FROM stg_own_mentions o
    JOIN social_responses r ON r.mention_id = o.mention_id
    GROUP BY GROUPING SETS ((o.period_month, r.team), (r.team))
),
team_rank AS (
    SELECT period, team, responses,
           sum(responses) OVER (PARTITION BY period) AS total,
           row_number() OVER (PARTITION BY period ORDER BY responses DESC, team) AS position
    FROM team_counts
),
team_stats AS (
    SELECT period,
           count(DISTINCT team) AS teams,
           sum(responses) AS responses,
           max(CASE WHEN position = 1 THEN CAST(responses AS DOUBLE) / total END) AS top_share,
           max(CASE WHEN position = 1 THEN total END) AS top_total,
           max(CASE WHEN position = 1 THEN team END) AS top_team
    FROM team_rank
    GROUP BY period
),
-- departments of the employees who worked on customer cases
department_counts AS (
    SELECT CASE WHEN grouping(s.period_month) = 1 THEN 'all' ELSE s.period_month END AS period,
           e.department,
           count(*) AS contributions
    FROM stg_cases s
    JOIN collaborations c ON c.case_type = s.case_type AND c.case_id = s.case_id
    JOIN employees e ON e.employee_id = c.employee_id
    GROUP BY GROUPING SETS ((s.period_month, e.department), (e.department))
),
department_stats AS (
    SELECT d.period,
           count(DISTINCT CASE WHEN d.department <> coalesce(t.top_team, '') THEN d.department END)
               AS other_departments,
           sum(CASE WHEN d.department IS NOT NULL THEN d.contributions ELSE 0 END) AS contributions
    FROM department_counts d
    LEFT JOIN team_stats t ON t.period = d.period
    GROUP BY d.period
),
idea_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(status) AS ideas,
           sum(CASE WHEN status IN ('accepted', 'implemented') THEN 1 ELSE 0 END) AS accepted,
           count(*) AS idea_rows
    FROM stg_ideas
    WHERE source <> 'employee'
    GROUP BY GROUPING SETS ((period_month), ())
),
window_orders AS (
    SELECT to_char(ordered_at, '%Y-%m') AS period_month, contact_id
    FROM orders
    WHERE ordered_at >= {{ window_start }} AND ordered_at < {{ window_end }}
),
buyer_stats AS (
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(DISTINCT contact_id) AS buyers
    FROM window_orders
    GROUP BY GROUPING SETS ((period_month), ())
),
months AS (
    SELECT count(*) AS months FROM stg_periods WHERE period <> 'all'
),
-- every period, zero-filled
by_period AS (
    SELECT p.period,
           coalesce(b.posts, 0) AS posts,
           coalesce(b.reach, 0) AS reach,
           coalesce(o.mentions, 0) AS mentions,
           coalesce(o.networks, 0) AS networks,
           coalesce(o.asks, 0) AS asks,
           coalesce(o.asks_answered, 0) AS asks_answered,
           o.median_response_minutes,
           coalesce(o.answered, 0) AS answered,
           coalesce(t.teams, 0) AS teams,
           coalesce(t.responses, 0) AS responses,
           t.top_share,
           coalesce(t.top_total, 0) AS top_total,
           coalesce(d.other_departments, 0) AS other_departments,
           coalesce(d.contributions, 0) AS contributions,
           coalesce(i.ideas, 0) AS ideas,
           coalesce(i.idea_rows, 0) AS idea_rows,
           coalesce(i.accepted, 0) AS accepted,
           coalesce(u.buyers, 0) AS buyers,
           CASE WHEN p.period = 'all' THEN m.months ELSE 1 END AS months
    FROM stg_periods p
    CROSS JOIN months m
    LEFT JOIN post_stats b ON b.period = p.period
    LEFT JOIN own_stats o ON o.period = p.period
    LEFT JOIN team_stats t ON t.period = p.period
    LEFT JOIN department_stats d ON d.period = p.period
    LEFT JOIN idea_stats i ON i.period = p.period
    LEFT JOIN buyer_stats u ON u.period = p.period
),
indicators AS (
    SELECT 'brand_posts' AS indicator UNION ALL SELECT 'brand_post_reach'
    UNION ALL SELECT 'monitored_networks' UNION ALL SELECT 'question_complaint_response_rate'
    UNION ALL SELECT 'median_response_minutes' UNION ALL SELECT 'responding_teams'
    UNION ALL SELECT 'top_team_response_share' UNION ALL SELECT 'other_case_departments'
    UNION ALL SELECT 'customer_idea_acceptance' UNION ALL SELECT 'ideas_per_1000_customers_month'
)
-- one row per period and indicator
SELECT b.period,
       k.indicator,
       CASE k.indicator
           WHEN 'brand_posts' THEN CAST(b.posts AS DOUBLE)
           WHEN 'brand_post_reach' THEN CAST(b.reach AS DOUBLE)
           WHEN 'monitored_networks' THEN CAST(b.networks AS DOUBLE)
           WHEN 'question_complaint_response_rate'
               THEN CAST(b.asks_answered AS DOUBLE) / NULLIF(b.asks, 0)
           WHEN 'median_response_minutes' THEN b.median_response_minutes
           WHEN 'responding_teams' THEN CAST(b.teams AS DOUBLE)
           WHEN 'top_team_response_share' THEN b.top_share
           WHEN 'other_case_departments' THEN CAST(b.other_departments AS DOUBLE)
           WHEN 'customer_idea_acceptance' THEN CAST(b.accepted AS DOUBLE) / NULLIF(b.ideas, 0)
           WHEN 'ideas_per_1000_customers_month'
               THEN CAST(b.idea_rows AS DOUBLE) / NULLIF(b.buyers / 1000.0, 0) / b.months
       END AS value,
       CASE k.indicator
           WHEN 'brand_posts' THEN b.posts
           WHEN 'brand_post_reach' THEN b.posts
           WHEN 'monitored_networks' THEN b.mentions
           WHEN 'question_complaint_response_rate' THEN b.asks
           WHEN 'median_response_minutes' THEN b.answered
           WHEN 'responding_teams' THEN b.responses
           WHEN 'top_team_response_share' THEN b.top_total
           WHEN 'other_case_departments' THEN b.contributions
           WHEN 'customer_idea_acceptance' THEN b.ideas
           WHEN 'ideas_per_1000_customers_month' THEN b.buyers
       END AS n
FROM by_period b
CROSS JOIN indicators k
ORDER BY 1, 2
