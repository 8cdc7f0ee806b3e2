-- Mapping: distinct authors (network, author_handle) of own-brand mentions per period, and
-- whether social_identities links them to a CRM contact.
SELECT a.period,
       a.network,
       a.author_handle,
       i.contact_id IS NOT NULL AS matched
FROM (
    -- the distinct authors of the whole window and of each month: one DISTINCT over the
    -- mentions once as 'all' and once with their month (measured at scale 1: 1.55 s; GROUPING
    -- SETS 2.0-2.3 s, two DISTINCTs 1.9 s). The one 'all' + month UNION ALL the queries keep
    -- (allow-listed in tests/it/sql_lint.rs): measured again at scale 1 (5.6 M own mentions,
    -- debug build, medians of 4-6 runs), this form took 5.2 s, a join with a month -> period
    -- map 5.9 s, unnest(make_array('all', period_month)) 6.6 s, GROUPING SETS 6.7 s, a join
    -- with stg_periods ON p.period = 'all' OR p.period = period_month 9.2 s.
    SELECT DISTINCT period, network, author_handle
    FROM (
        SELECT 'all' AS period, network, author_handle FROM stg_own_mentions
        UNION ALL
        SELECT period_month AS period, network, author_handle FROM stg_own_mentions
    ) m
) a
LEFT JOIN social_identities i
       ON i.network = a.network
      AND i.author_handle = a.author_handle
