-- Leads created inside the analysis window (by created_at), with their calendar month.
-- What a lead is compared with (its first contact, its opportunities) may lie after the window end.
SELECT l.*,
       to_char(l.created_at, '%Y-%m') AS period_month
FROM leads l
WHERE l.created_at >= {{ window_start }}
  AND l.created_at < {{ window_end }}
