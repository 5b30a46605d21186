-- description: Number of decisions per viewer country and decision
-- param: since = 1970-01-01
-- param: until = 9999-12-31
-- `since` and `until` are UTC days (YYYY-MM-DD, inclusive) that bound the partitions read.
SELECT viewer_country, decision, count(*) AS decisions
FROM audit
WHERE dt BETWEEN {{since}} AND {{until}}
GROUP BY viewer_country, decision
ORDER BY viewer_country ASC NULLS LAST, decision ASC
