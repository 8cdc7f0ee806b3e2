-- Brand posts (docs/spec/kpis.md, UC02): posts by the brand's own accounts about the project's brand
-- (is_brand_post AND brand = config brand), posted in the window, with their month.
SELECT m.*
FROM stg_mentions m
WHERE m.brand = {{ brand }}
  AND m.is_brand_post
