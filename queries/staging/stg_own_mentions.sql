-- Own-brand mentions (docs/spec/kpis.md, common rules): about the project's brand, not posted by
-- the brand itself, inside the window.
SELECT m.*
FROM stg_mentions m
WHERE m.brand = {{ brand }}
  AND NOT m.is_brand_post
