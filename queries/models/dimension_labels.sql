-- The names of the dimension values a breakdown KPI reports by id: campaign_id -> the
-- campaign's name, event_id -> the event's name. Topics, segments and channels are names
-- already. The report shows the name beside the id; a table that is absent is registered
-- empty, so its ids simply get no name.
SELECT 'campaign_id' AS dimension, campaign_id AS value, name AS label FROM campaigns
UNION ALL
SELECT 'event_id' AS dimension, event_id AS value, name AS label FROM events
