-- description: Denied decisions in the last 24 hours, newest first
-- Time-bounded on both `dt` (partition pruning: today and yesterday, UTC) and `ts` (epoch ms).
SELECT *
FROM audit
WHERE dt >= CAST(CAST(current_timestamp - INTERVAL '1' DAY AS date) AS varchar)
  AND ts >= CAST(to_unixtime(current_timestamp - INTERVAL '1' DAY) * 1000 AS bigint)
  AND decision = 'deny'
ORDER BY ts DESC, request_id
