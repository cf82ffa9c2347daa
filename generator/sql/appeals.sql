-- Appeals decided in the window (by appeal_resolved_at), by outcome.
SELECT appeal AS outcome, count(*) AS flags
FROM flags
WHERE appeal IN ('upheld', 'reversed')
  AND appeal_resolved_at >= CAST($window_start AS TIMESTAMP WITH TIME ZONE)
  AND appeal_resolved_at < CAST($window_end AS TIMESTAMP WITH TIME ZONE)
GROUP BY appeal
ORDER BY appeal;
