-- UC18 Advocacy & VIP Experience: size of the advocacy/VIP programme, revenue per buying
-- advocate vs per other buying customer, and churn of advocates vs the others.
WITH periods AS (
    SELECT period, period_start, period_end FROM stg_periods
),
advocates AS (
    -- programme size at the end of each period: advocates created before it
    SELECT p.period, count(c.contact_id) AS advocates
    FROM periods p
    LEFT JOIN contacts c
           ON c.is_advocate
          AND c.created_at < p.period_end
    GROUP BY p.period
),
buyers AS (
    -- contacts with at least one order at any date (also before or after the window)
    SELECT c.contact_id, c.is_advocate
    FROM contacts c
    JOIN (SELECT DISTINCT contact_id FROM orders) o ON o.contact_id = c.contact_id
),
buyer_counts AS (
    SELECT sum(CASE WHEN is_advocate THEN 1 ELSE 0 END) AS advocate_buyers,
           sum(CASE WHEN is_advocate THEN 0 ELSE 1 END) AS other_buyers
    FROM buyers
),
window_orders AS (
    -- orders placed in the window, with the buyer's advocate flag
    SELECT to_char(o.ordered_at, '%Y-%m') AS period_month,
           o.revenue,
           c.is_advocate
    FROM orders o
    JOIN contacts c ON c.contact_id = o.contact_id
    WHERE o.ordered_at >= {{ window_start }}
      AND o.ordered_at < {{ window_end }}
),
revenue AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           CAST(sum(CAST(CASE WHEN is_advocate THEN revenue ELSE 0 END AS DECIMAL(38, 10))) AS DOUBLE) AS advocate_revenue,
           CAST(sum(CAST(CASE WHEN is_advocate THEN 0 ELSE revenue END AS DECIMAL(38, 10))) AS DOUBLE) AS other_revenue
    FROM window_orders
    GROUP BY GROUPING SETS ((period_month), ())
),
churn_cohorts AS (
    -- spec: contacts with churned_at in the period / contacts created before the period
    -- start. The denominator is taken literally (contacts that churned earlier included);
    -- a churner counts only when it belongs to that population, so the rate stays <= 1.
    SELECT p.period,
           c.is_advocate,
           CASE WHEN c.churned_at >= p.period_start AND c.churned_at < p.period_end
                THEN 1 ELSE 0 END AS churned
    FROM periods p
    JOIN contacts c
      ON c.created_at < p.period_start
),
churn AS (
    SELECT period,
           sum(CASE WHEN is_advocate THEN 1 ELSE 0 END) AS advocate_cohort,
           sum(CASE WHEN is_advocate THEN churned ELSE 0 END) AS advocate_churned,
           sum(CASE WHEN is_advocate THEN 0 ELSE 1 END) AS other_cohort,
           sum(CASE WHEN is_advocate THEN 0 ELSE churned END) AS other_churned
    FROM churn_cohorts
    GROUP BY period
),
by_period AS (
    SELECT p.period,
           coalesce(a.advocates, 0) AS advocates,
           coalesce(r.advocate_revenue, 0.0) AS advocate_revenue,
           coalesce(r.other_revenue, 0.0) AS other_revenue,
           coalesce(b.advocate_buyers, 0) AS advocate_buyers,
           coalesce(b.other_buyers, 0) AS other_buyers,
           coalesce(ch.advocate_cohort, 0) AS advocate_cohort,
           coalesce(ch.advocate_churned, 0) AS advocate_churned,
           coalesce(ch.other_cohort, 0) AS other_cohort,
           coalesce(ch.other_churned, 0) AS other_churned
    FROM periods p
    LEFT JOIN advocates a ON a.period = p.period
    LEFT JOIN revenue r ON r.period = p.period
    CROSS JOIN buyer_counts b
    LEFT JOIN churn ch ON ch.period = p.period
)
SELECT 'uc18.advocates' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(advocates AS DOUBLE) AS value, advocates AS n
FROM by_period
UNION ALL
SELECT 'uc18.revenue_per_advocate', period, NULL, NULL,
       CAST(advocate_revenue AS DOUBLE) / NULLIF(advocate_buyers, 0), advocate_buyers
FROM by_period
UNION ALL
SELECT 'uc18.revenue_per_other_customer', period, NULL, NULL,
       CAST(other_revenue AS DOUBLE) / NULLIF(other_buyers, 0), other_buyers
FROM by_period
UNION ALL
SELECT 'uc18.churn_rate_advocates', period, NULL, NULL,
       CAST(advocate_churned AS DOUBLE) / NULLIF(advocate_cohort, 0), advocate_cohort
FROM by_period
UNION ALL
SELECT 'uc18.churn_rate_others', period, NULL, NULL,
       CAST(other_churned AS DOUBLE) / NULLIF(other_cohort, 0), other_cohort
FROM by_period
