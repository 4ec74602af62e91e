-- Publication decisions (quyết định công bố, issue 4). A decision is a draft until issued; once
-- issued only the dates its items were made public in the national database change. Items are
-- rows so statistics and dashboards are plain queries. Events on aggregate decision/<id>.

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    signed_on TEXT,
    signer TEXT NOT NULL,
    issuer TEXT NOT NULL,
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX decisions_signed_on ON decisions (status, signed_on);

-- kind: new | amended | replaced | abolished. version_number: the version it published (or
-- abolished), fixed when the decision is issued.
CREATE TABLE decision_items (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    procedure_name TEXT NOT NULL,
    field TEXT NOT NULL,
    version_number INTEGER,
    effective_from TEXT NOT NULL,
    made_public_on TEXT,
    PRIMARY KEY (decision_id, position)
);
CREATE INDEX decision_items_procedure ON decision_items (procedure_id);
