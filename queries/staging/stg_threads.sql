-- Community threads created inside the analysis window (by created_at), with their
-- calendar month. Answers and follow-up tickets may lie after the window end.
SELECT th.*,
       to_char(th.created_at, '%Y-%m') AS period_month
FROM community_threads th
WHERE th.created_at >= {{ window_start }}
  AND th.created_at < {{ window_end }}
