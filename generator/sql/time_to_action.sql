-- Hours from receipt to resolution for flags resolved in the window:
-- count, median and 90th percentile (continuous), per category and overall
-- (the row whose category is NULL).
SELECT category,
       count(*) AS flags,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS median_hours,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) AS p90_hours
FROM (
  SELECT category,
         (EXTRACT(EPOCH FROM resolved_at) - EXTRACT(EPOCH FROM received_at)) / 3600.0 AS hours
  FROM flags
  WHERE resolved_at >= CAST($window_start AS TIMESTAMP WITH TIME ZONE)
    AND resolved_at < CAST($window_end AS TIMESTAMP WITH TIME ZONE)
) AS resolved
GROUP BY GROUPING SETS ((category), ())
ORDER BY category NULLS FIRST;
