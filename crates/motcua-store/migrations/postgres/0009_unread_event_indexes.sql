-- No query reads these two indexes (the audit search filters kind by prefix and the actor only
-- optionally, which no index serves), yet every event paid for both: each append changed a
-- page of each (BENCHMARKS.md, `bench dossiers`). A query that needs one adds the index it needs.
DROP INDEX events_kind;
DROP INDEX events_actor;
