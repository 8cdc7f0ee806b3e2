-- Customer lifetime value (issue 10): the RFM summary of every contact with a purchase in the
-- calibration period = the analysis window [window_start, window_end). Purchases on the same
-- day are one transaction. frequency = repeat transactions (purchase days − 1); recency and T
-- in days from the first purchase day to the last purchase day and to the window's last day
-- (converted to clv_time_unit in Rust); monetary = mean revenue per repeat transaction day
-- (the Gamma-Gamma spend model's z̄); margin_rate = margin / revenue of the contact's orders
-- in the window (orders.margin, else default_margin_rate × revenue); is_advocate from
-- contacts (false for an order whose contact is unknown).
WITH days AS (
    SELECT contact_id,
           date_trunc('day', ordered_at) AS day,
           CAST(sum(CAST(revenue AS DECIMAL(38, 10))) AS DOUBLE) AS revenue,
           CAST(sum(CAST(coalesce(margin, revenue * {{ default_margin_rate }}) AS DECIMAL(38, 10))) AS DOUBLE) AS margin
    FROM orders
    WHERE ordered_at >= {{ window_start }} AND ordered_at < {{ window_end }}
    GROUP BY contact_id, date_trunc('day', ordered_at)
),
ranked AS (
    SELECT contact_id, day, revenue, margin,
           row_number() OVER (PARTITION BY contact_id ORDER BY day) AS nth
    FROM days
),
rfm AS (
    SELECT contact_id,
           count(*) - 1 AS frequency,
           (extract(epoch FROM max(day)) - extract(epoch FROM min(day))) / 86400 AS recency_days,
           (extract(epoch FROM {{ window_end }} - INTERVAL '1 day') - extract(epoch FROM min(day))) / 86400 AS t_days,
           CAST(avg(CASE WHEN nth > 1 THEN revenue END) AS DOUBLE) AS monetary,
           CASE WHEN sum(revenue) > 0 THEN sum(margin) / sum(revenue) END AS margin_rate
    FROM ranked
    GROUP BY contact_id
)
SELECT r.contact_id, r.frequency, r.recency_days, r.t_days, r.monetary, r.margin_rate,
       coalesce(c.is_advocate, false) AS is_advocate
FROM rfm r
LEFT JOIN contacts c ON c.contact_id = r.contact_id
ORDER BY r.contact_id
