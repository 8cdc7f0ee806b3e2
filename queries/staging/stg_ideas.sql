-- Ideas submitted inside the analysis window (by their own submitted_at), with their
-- calendar month. Status, implementation and value may be recorded after the window end.
SELECT i.*,
       to_char(i.submitted_at, '%Y-%m') AS period_month
FROM ideas i
WHERE i.submitted_at >= {{ window_start }}
  AND i.submitted_at < {{ window_end }}
