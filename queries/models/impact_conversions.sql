-- The outcome series of a launch judged on conversions (`[impact] outcome = "conversions"`):
-- conversions in the window (orders, or won opportunities per `{{ conversion }}`), per day and
-- scope cell (the contact's segment, industry and country; conversions have no channel), and
-- their margin.
SELECT to_char(CAST(v.converted_at AS DATE), '%Y-%m-%d') AS day,
       c.segment,
       c.industry,
       c.country,
       CAST(NULL AS VARCHAR) AS channel,
       CAST(count(*) AS DOUBLE) AS y,
       CAST(sum(CAST(v.margin AS DECIMAL(38, 10))) AS DOUBLE) AS value,
       CAST(count(v.margin) AS DOUBLE) AS valued
FROM stg_conversions v
LEFT JOIN contacts c ON c.contact_id = v.contact_id
WHERE v.converted_at >= {{ window_start }}
  AND v.converted_at < {{ window_end }}
GROUP BY CAST(v.converted_at AS DATE), c.segment, c.industry, c.country
ORDER BY 1, 2, 3, 4
