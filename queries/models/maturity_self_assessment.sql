-- Maturity self-assessment (optional questionnaire): per dimension, the median stage the
-- respondents gave and how many answered.
SELECT dimension, median(CAST(stage AS DOUBLE)) AS stage, count(*) AS respondents
FROM maturity_self_assessment
GROUP BY dimension
ORDER BY dimension
