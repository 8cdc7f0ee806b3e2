-- Mapping: distinct authors (network, author_handle) of own-brand mentions per period, and
-- whether social_identities links them to a CRM contact.
SELECT a.period,
       a.network,
       a.author_handle,
       i.contact_id IS NOT NULL AS matched
FROM (
    -- the distinct authors of the whole window and of each month: each mention joins the
    -- two periods it belongs to ('all' and its month) through a 13-row month -> period map
    -- built from the period grid, then one DISTINCT. Measured at scale 1 (5.6 M own
    -- mentions, debug build, medians of 4-6 runs): 5.9 s; the hand-written 'all' + month
    -- UNION ALL fan-out it replaces took 5.2 s, unnest(make_array('all', period_month))
    -- 6.6 s, GROUPING SETS 6.7 s, a join with stg_periods ON p.period = 'all' OR
    -- p.period = period_month 9.2 s.
    SELECT DISTINCT pm.period, m.network, m.author_handle
    FROM stg_own_mentions m
    JOIN (
        SELECT p.period, months.period AS period_month
        FROM stg_periods months
        JOIN stg_periods p ON p.period = 'all' OR p.period = months.period
        WHERE months.period <> 'all'
    ) pm ON pm.period_month = m.period_month
) a
LEFT JOIN social_identities i
       ON i.network = a.network
      AND i.author_handle = a.author_handle
