-- Customer cases (kpis.md, Collaboration): tickets opened and opportunities created inside
-- the analysis window, each with its contributors from `collaborations` (any time, also
-- after the window end) and their departments from `employees`.
WITH window_cases AS (
    -- one row per case, by its own timestamp
    SELECT 'ticket' AS case_type, t.ticket_id AS case_id, t.opened_at AS case_at
    FROM tickets t
    WHERE t.opened_at >= {{ window_start }}
      AND t.opened_at < {{ window_end }}
    UNION ALL
    SELECT 'opportunity' AS case_type, o.opportunity_id AS case_id, o.created_at AS case_at
    FROM opportunities o
    WHERE o.created_at >= {{ window_start }}
      AND o.created_at < {{ window_end }}
),
case_contributors AS (
    -- distinct contributing employees per case; an employee listed twice counts once
    SELECT c.case_type,
           c.case_id,
           count(DISTINCT c.employee_id) AS contributors,
           count(DISTINCT e.department) AS departments,
           count(DISTINCT CASE WHEN e.department = 'partner' THEN c.employee_id END) AS partner_contributors
    FROM collaborations c
    LEFT JOIN employees e ON e.employee_id = c.employee_id
    WHERE c.case_type IN ('ticket', 'opportunity')
    GROUP BY c.case_type, c.case_id
)
SELECT w.case_type,
       w.case_id,
       w.case_at,
       to_char(w.case_at, '%Y-%m') AS period_month,
       coalesce(k.contributors, 0) AS contributors,
       coalesce(k.departments, 0) AS departments,
       coalesce(k.partner_contributors, 0) AS partner_contributors
FROM window_cases w
LEFT JOIN case_contributors k
       ON k.case_type = w.case_type
      AND k.case_id = w.case_id
