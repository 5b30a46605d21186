-- description: Everything one viewer IP did (IPv6 in RFC 5952 form, IPv4-mapped addresses as IPv4)
-- param: ip = 203.0.113.10
-- param: since = 1970-01-01
-- param: until = 9999-12-31
-- `since` and `until` are UTC days (YYYY-MM-DD, inclusive) that bound the partitions read.
SELECT *
FROM audit
WHERE dt BETWEEN {{since}} AND {{until}}
  AND viewer_ip = {{ip}}
ORDER BY ts DESC, request_id
