-- Mapping: distinct authors (network, author_handle) of own-brand mentions per period, and
-- whether social_identities links them to a CRM contact.
SELECT a.period,
       a.network,
       a.author_handle,
       i.contact_id IS NOT NULL AS matched
FROM (SELECT DISTINCT period, network, author_handle FROM stg_own_mentions_by_period) a
LEFT JOIN social_identities i
       ON i.network = a.network
      AND i.author_handle = a.author_handle
