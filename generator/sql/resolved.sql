-- Flags resolved in the window, by policy category x action x who decided.
SELECT category, action, decided_by, count(*) AS flags
FROM flags
WHERE resolved_at >= CAST($window_start AS TIMESTAMP WITH TIME ZONE)
  AND resolved_at < CAST($window_end AS TIMESTAMP WITH TIME ZONE)
GROUP BY category, action, decided_by
ORDER BY category, action, decided_by;
