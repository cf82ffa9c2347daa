-- Every aggregate of one window [window_start, window_end) in the long format
-- "flags-aggregates-v1", for running where the flags live (a warehouse) and
-- handing the result to `collect` instead of the export itself. Run it once
-- per window (the issue's and the one before) and concatenate the results
-- under one header. `flags` is the validated, de-duplicated export. The
-- rows/rejected_by_reason lines are the warehouse's own accounting of it
-- (rows read = counted + duplicates + rejected); fill in its figures.
WITH params AS (
  SELECT CAST($window_start AS TIMESTAMP WITH TIME ZONE) AS ws,
         CAST($window_end AS TIMESTAMP WITH TIME ZONE) AS we
),
resolved_in AS (
  SELECT f.*, (EXTRACT(EPOCH FROM f.resolved_at) - EXTRACT(EPOCH FROM f.received_at)) / 3600.0
         AS hours
  FROM flags f, params p
  WHERE f.resolved_at >= p.ws AND f.resolved_at < p.we
)
SELECT 'flags-aggregates-v1' AS format, $window_start AS window_start, $window_end AS window_end,
       'received' AS measure, source, target_type, reason,
       NULL AS category, NULL AS action, NULL AS decided_by, NULL AS key,
       count(*) AS flags, NULL AS median_hours, NULL AS p90_hours
FROM flags f, params p
WHERE f.received_at >= p.ws AND f.received_at < p.we
GROUP BY source, target_type, reason
UNION ALL
SELECT 'flags-aggregates-v1', $window_start, $window_end, 'resolved', NULL, NULL, NULL,
       category, action, decided_by, NULL, count(*), NULL, NULL
FROM resolved_in
GROUP BY category, action, decided_by
UNION ALL
SELECT 'flags-aggregates-v1', $window_start, $window_end, 'time_to_action', NULL, NULL, NULL,
       category, NULL, NULL, NULL, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)
FROM resolved_in
GROUP BY category
UNION ALL
SELECT 'flags-aggregates-v1', $window_start, $window_end, 'time_to_action', NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)
FROM resolved_in
HAVING count(*) > 0
UNION ALL
SELECT 'flags-aggregates-v1', $window_start, $window_end, 'pending_at_start', NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, count(*), NULL, NULL
FROM flags f, params p
WHERE f.received_at < p.ws AND (f.resolved_at IS NULL OR f.resolved_at >= p.ws)
UNION ALL
SELECT 'flags-aggregates-v1', $window_start, $window_end, 'pending_at_close', NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, count(*), NULL, NULL
FROM flags f, params p
WHERE f.received_at < p.we AND (f.resolved_at IS NULL OR f.resolved_at >= p.we)
UNION ALL
SELECT 'flags-aggregates-v1', $window_start, $window_end, 'appeals', NULL, NULL, NULL,
       NULL, NULL, NULL, appeal, count(*), NULL, NULL
FROM flags f, params p
WHERE f.appeal IN ('upheld', 'reversed')
  AND f.appeal_resolved_at >= p.ws AND f.appeal_resolved_at < p.we
GROUP BY appeal
ORDER BY 4, 5, 6, 7, 8, 9, 10, 11;
