-- description: Everything one vendor subject (the grant's sub) did
-- param: sub = user-1234
-- param: since = 1970-01-01
-- param: until = 9999-12-31
-- `since` and `until` are UTC days (YYYY-MM-DD, inclusive) that bound the partitions read.
SELECT *
FROM audit
WHERE dt BETWEEN {{since}} AND {{until}}
  AND grant_sub = {{sub}}
ORDER BY ts DESC, request_id
