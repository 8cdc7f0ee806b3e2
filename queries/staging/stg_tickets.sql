-- Tickets opened inside the analysis window (by opened_at), with their calendar month.
-- Later events of a ticket (first response, resolution) may lie after the window end.
SELECT t.*,
       to_char(t.opened_at, '%Y-%m') AS period_month
FROM tickets t
WHERE t.opened_at >= {{ window_start }}
  AND t.opened_at < {{ window_end }}
