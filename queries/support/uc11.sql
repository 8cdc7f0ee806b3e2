-- UC11 Peer-to-Peer Unpaid Armies: how much of community support is answered by peers,
-- how many support contacts that saves, and what those contacts would have cost.
WITH periods AS (
    SELECT period FROM stg_periods
),
threads AS (
    -- community threads created in the window
    SELECT thread_id, asker_contact_id, created_at, first_answer_by, accepted_answer_by, period_month
    FROM stg_threads
),
thread_savings AS (
    -- deflected threads and their savings (see stg_deflected_threads)
    SELECT thread_id, saving FROM stg_deflected_threads
),
flagged AS (
    SELECT th.thread_id,
           th.period_month,
           th.first_answer_by = 'peer' AS peer_answered,
           th.accepted_answer_by = 'peer' AS peer_accepted,
           s.thread_id IS NOT NULL AS is_deflected,
           coalesce(s.saving, 0.0) AS saving
    FROM threads th
    LEFT JOIN thread_savings s ON s.thread_id = th.thread_id
),
stats AS (
    -- per month and for the whole window in one pass (GROUPING SETS; grouping(x) = 1 marks
    -- the row of the whole window)
    SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
           count(*) AS threads,
           sum(CASE WHEN peer_answered THEN 1 ELSE 0 END) AS peer_answered,
           sum(CASE WHEN peer_accepted THEN 1 ELSE 0 END) AS peer_accepted,
           sum(CASE WHEN is_deflected THEN 1 ELSE 0 END) AS deflected,
           CAST(sum(CAST(saving AS DECIMAL(38, 10))) AS DOUBLE) AS savings
    FROM flagged
    GROUP BY GROUPING SETS ((period_month), ())
),
by_period AS (
    SELECT p.period,
           coalesce(s.threads, 0) AS threads,
           coalesce(s.peer_answered, 0) AS peer_answered,
           coalesce(s.peer_accepted, 0) AS peer_accepted,
           coalesce(s.deflected, 0) AS deflected,
           coalesce(s.savings, 0.0) AS savings
    FROM periods p
    LEFT JOIN stats s ON s.period = p.period
)
SELECT 'uc11.threads' AS kpi, period, NULL AS dimension, NULL AS dimension_value,
       CAST(threads AS DOUBLE) AS value, threads AS n
FROM by_period
UNION ALL
SELECT 'uc11.peer_answer_rate', period, NULL, NULL,
       CAST(peer_answered AS DOUBLE) / NULLIF(threads, 0), threads
FROM by_period
UNION ALL
SELECT 'uc11.peer_accepted_rate', period, NULL, NULL,
       CAST(peer_accepted AS DOUBLE) / NULLIF(threads, 0), threads
FROM by_period
UNION ALL
SELECT 'uc11.deflected_contacts', period, NULL, NULL,
       CAST(deflected AS DOUBLE), deflected
FROM by_period
UNION ALL
SELECT 'uc11.deflection_savings', period, NULL, NULL,
       CAST(savings AS DOUBLE), deflected
FROM by_period
