-- Every mention posted inside the analysis window, with its calendar month.
SELECT m.*,
       to_char(m.posted_at, '%Y-%m') AS period_month
FROM social_mentions m
WHERE m.posted_at >= {{ window_start }}
  AND m.posted_at < {{ window_end }}
