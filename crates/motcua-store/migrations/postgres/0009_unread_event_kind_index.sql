-- No query can read this index: the audit search filters the kind by prefix with LIKE, which
-- is case-insensitive on SQLite (and collation-bound on PostgreSQL), so a plain index on kind
-- never serves it; yet every event paid for it, each append changing one of its pages
-- (BENCHMARKS.md, `bench dossiers`). `events_actor` stays: the audit search by person uses it
-- (SQLite plans with the bound value, so `($1 = '' OR actor_id = $1)` reaches the index).
DROP INDEX events_kind;
