-- Catalog generation (issue 4, item 9): a counter bumped by every change to procedure versions,
-- so a server keeps its search index in memory and rebuilds it only when the catalog changed —
-- also when another process changed it. One bump per statement is enough.
CREATE TABLE catalog_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO catalog_generation (id, n) VALUES (1, 0);
CREATE FUNCTION bump_catalog_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER procedure_versions_generation AFTER INSERT OR UPDATE OR DELETE ON procedure_versions
FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
