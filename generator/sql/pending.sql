-- Flags pending at an instant: received before it, not resolved by it.
-- Run with $at = window_end for "pending at close", window_start for the
-- backlog carried into the window.
SELECT count(*) AS flags
FROM flags
WHERE received_at < CAST($at AS TIMESTAMP WITH TIME ZONE)
  AND (resolved_at IS NULL OR resolved_at >= CAST($at AS TIMESTAMP WITH TIME ZONE));
