-- Customer cases (docs/spec/kpis.md, Collaboration): tickets opened and opportunities created inside
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
case_employees AS (
    -- one row per (case, contributing employee): an employee listed twice counts once;
    -- the department comes with the employee (employee_id is the key of employees)
    SELECT DISTINCT c.case_type, c.case_id, c.employee_id, e.department
    FROM collaborations c
    LEFT JOIN employees e ON e.employee_id = c.employee_id
    WHERE c.case_type IN ('ticket', 'opportunity')
),
case_departments AS (
    -- distinct departments per case (DISTINCT rows first, then count: a per-group set of
    -- values for every case would cost gigabytes at scale, a GROUP BY does not)
    SELECT case_type, case_id, count(*) AS departments
    FROM (SELECT DISTINCT case_type, case_id, department
          FROM case_employees WHERE department IS NOT NULL) d
    GROUP BY case_type, case_id
),
case_contributors AS (
    -- distinct contributing employees per case, their departments, and the partners
    SELECT ce.case_type,
           ce.case_id,
           count(ce.employee_id) AS contributors,
           coalesce(max(cd.departments), 0) AS departments,
           count(CASE WHEN ce.department = 'partner' THEN ce.employee_id END) AS partner_contributors
    FROM case_employees ce
    LEFT JOIN case_departments cd
           ON cd.case_type = ce.case_type AND cd.case_id = ce.case_id
    GROUP BY ce.case_type, ce.case_id
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
