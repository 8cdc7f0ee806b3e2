-- Conversions (docs/spec/attribution-and-roi.md): orders (time ordered_at, value revenue, margin
-- or default_margin_rate × revenue) or won opportunities (time closed_at, value amount),
-- as parameter `conversion` says. All of them, not only those in the window: journeys,
-- experiments and ROI choose their own periods.
SELECT o.contact_id,
       o.ordered_at AS converted_at,
       o.revenue AS value,
       coalesce(o.margin, o.revenue * {{ default_margin_rate }}) AS margin
FROM orders o
WHERE {{ conversion }} = 'orders'
UNION ALL
SELECT p.contact_id,
       p.closed_at AS converted_at,
       p.amount AS value,
       p.amount * {{ default_margin_rate }} AS margin
FROM opportunities p
WHERE {{ conversion }} = 'won_opportunities'
  AND p.stage = 'won'
  AND p.closed_at IS NOT NULL
