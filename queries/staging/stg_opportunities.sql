-- Opportunities created inside the analysis window (by created_at), with their calendar
-- month. They may close (won/lost) after the window end.
SELECT o.*,
       to_char(o.created_at, '%Y-%m') AS period_month
FROM opportunities o
WHERE o.created_at >= {{ window_start }}
  AND o.created_at < {{ window_end }}
