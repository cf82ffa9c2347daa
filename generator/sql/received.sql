-- Flags received in the window [window_start, window_end), by source x target type x reason.
SELECT source, target_type, reason, count(*) AS flags
FROM flags
WHERE received_at >= CAST($window_start AS TIMESTAMP WITH TIME ZONE)
  AND received_at < CAST($window_end AS TIMESTAMP WITH TIME ZONE)
GROUP BY source, target_type, reason
ORDER BY source, target_type, reason;
