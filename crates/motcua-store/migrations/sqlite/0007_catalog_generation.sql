-- Catalog generation (issue 4, item 9): a counter bumped by every change to procedure versions,
-- so a server keeps its search index in memory and rebuilds it only when the catalog changed —
-- also when another process changed it. Triggers catch every write path.
CREATE TABLE catalog_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO catalog_generation (id, n) VALUES (1, 0);
CREATE TRIGGER procedure_versions_generation_insert AFTER INSERT ON procedure_versions
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER procedure_versions_generation_update AFTER UPDATE ON procedure_versions
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER procedure_versions_generation_delete AFTER DELETE ON procedure_versions
BEGIN UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
