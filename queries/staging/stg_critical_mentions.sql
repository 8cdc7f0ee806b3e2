-- Critical mentions (docs/spec/kpis.md, UC03): own-brand mentions posted in the window with
-- sentiment 'negative' and reach >= influencer_reach, each with its first response (the
-- earliest responded_at of its social_responses; it may lie after the window end, and is
-- null when the mention was never answered) and the minutes from posting to it.
SELECT m.mention_id,
       m.network,
       m.author_handle,
       m.posted_at,
       m.period_month,
       m.reach,
       r.first_response_at,
       (extract(epoch FROM r.first_response_at) - extract(epoch FROM m.posted_at)) / 60
           AS first_response_minutes
FROM stg_own_mentions m
LEFT JOIN (
    SELECT mention_id, min(responded_at) AS first_response_at
    FROM social_responses
    GROUP BY mention_id
) r ON r.mention_id = m.mention_id
WHERE m.sentiment = 'negative'
  AND m.reach >= {{ influencer_reach }}
