-- Deflected community threads (docs/spec/kpis.md, UC11) with what each saved: threads created in
-- the window whose accepted answer is a peer's, with a known asker who opened no ticket (any
-- channel) in [created_at, created_at + deflection_window_days], both bounds included.
-- saving = cost_per_contact of the assisted channel - of `community`, each the channel_costs
-- row with the latest period_start on or before the thread's date; community 0 when it has
-- no row; 0 when the assisted channel has none (assisted_cost_known = false).
-- Shared by UC11 (uc11.deflection_savings) and the ROI service-savings driver.
WITH candidates AS (
    SELECT thread_id, asker_contact_id, created_at, period_month
    FROM stg_threads
    WHERE accepted_answer_by = 'peer'
      AND asker_contact_id IS NOT NULL
),
follow_up_tickets AS (
    SELECT c.thread_id, count(t.ticket_id) AS tickets
    FROM candidates c
    LEFT JOIN tickets t
      ON t.contact_id = c.asker_contact_id
     AND extract(epoch FROM t.opened_at) >= extract(epoch FROM c.created_at)
     AND extract(epoch FROM t.opened_at) <= extract(epoch FROM c.created_at) + {{ deflection_window_days }} * 86400
    GROUP BY c.thread_id
),
deflected AS (
    SELECT c.thread_id, c.created_at, c.period_month
    FROM candidates c
    JOIN follow_up_tickets f ON f.thread_id = c.thread_id
    WHERE f.tickets = 0
),
costs_as_of_thread AS (
    SELECT d.thread_id,
           k.channel,
           k.cost_per_contact,
           row_number() OVER (PARTITION BY d.thread_id, k.channel ORDER BY k.period_start DESC) AS recency
    FROM deflected d
    JOIN channel_costs k
      ON CAST(k.period_start AS TIMESTAMP) <= d.created_at
    WHERE k.channel IN ({{ assisted_channel }}, 'community')
)
SELECT d.thread_id,
       d.created_at,
       d.period_month,
       coalesce(
           max(CASE WHEN k.channel = {{ assisted_channel }} THEN k.cost_per_contact END)
           - coalesce(max(CASE WHEN k.channel = 'community' THEN k.cost_per_contact END), 0.0),
           0.0) AS saving,
       max(CASE WHEN k.channel = {{ assisted_channel }} THEN 1 ELSE 0 END) = 1 AS assisted_cost_known
FROM deflected d
LEFT JOIN costs_as_of_thread k ON k.thread_id = d.thread_id AND k.recency = 1
GROUP BY d.thread_id, d.created_at, d.period_month
