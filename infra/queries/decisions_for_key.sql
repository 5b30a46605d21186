-- description: Every decision on one object key, or on every key under a prefix when the value ends with * (e.g. reports/2026/*)
-- param: key = reports/2026/q4.pdf
-- param: since = 1970-01-01
-- param: until = 9999-12-31
-- `since` and `until` are UTC days (YYYY-MM-DD, inclusive) that bound the partitions read.
SELECT *
FROM audit
WHERE dt BETWEEN {{since}} AND {{until}}
  AND (
    object_key = {{key}}
    OR ({{key}} LIKE '%*' AND starts_with(object_key, substr({{key}}, 1, length({{key}}) - 1)))
  )
ORDER BY ts DESC, request_id
