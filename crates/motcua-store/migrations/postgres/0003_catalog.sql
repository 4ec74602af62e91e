-- Procedure catalog (issue 4): procedures with versions. A version's content (every part of
-- NĐ 63/2010 Điều 8 khoản 2 and more) is one JSON document validated by motcua-core; the columns
-- beside it are what lists, filters and search need. Every change is an event on
-- aggregate procedure/<id>.

CREATE TABLE procedures (
    id TEXT PRIMARY KEY,
    national_code TEXT UNIQUE,
    applied_code TEXT UNIQUE,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    agency TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- status: draft | published | superseded | abolished. A published version never changes.
CREATE TABLE procedure_versions (
    id TEXT PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    effective_from TEXT,
    effective_to TEXT,
    document TEXT NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    agency TEXT NOT NULL,
    channels TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT procedure_versions_number UNIQUE (procedure_id, number)
);
CREATE INDEX procedure_versions_status ON procedure_versions (status, effective_from);
