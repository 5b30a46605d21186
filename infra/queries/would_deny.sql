-- description: Requests a report-only ACL let through that it would have denied (decision would_deny; reason is the denial's code)
-- param: since = 1970-01-01
-- param: until = 9999-12-31
-- `since` and `until` are UTC days (YYYY-MM-DD, inclusive) that bound the partitions read.
SELECT *
FROM audit
WHERE dt BETWEEN {{since}} AND {{until}}
  AND decision = 'would_deny'
ORDER BY ts DESC, request_id
