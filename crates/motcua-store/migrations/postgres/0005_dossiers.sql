-- Dossiers (issue 5): the current state of each dossier beside its event log (aggregate
-- dossier/<id>), the intake checklist, the planned and actual workflow steps (Mẫu 05), the
-- daily code sequences of each receiving unit, and one generic file store (scans, results).
-- The folded core state is the JSON `document`; the columns beside it serve lists, the inbox,
-- search without diacritics and the public lookup. `version` is the seq of the last event.

CREATE TABLE files (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    name TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX files_sha256 ON files (sha256);

-- Last sequence given per receiving unit and local (UTC+7) day: `<unit>-<yyMMdd>-<NNNN>`.
CREATE TABLE dossier_sequences (
    unit_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_code, day)
);

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,
    code TEXT UNIQUE,
    intake_key TEXT UNIQUE,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    version_id TEXT NOT NULL REFERENCES procedure_versions (id),
    procedure_name TEXT NOT NULL,
    channel BIGINT NOT NULL,
    variant TEXT,
    receiving_unit TEXT NOT NULL,
    applicant TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_folded TEXT NOT NULL,
    applicant_phone TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    search_text TEXT NOT NULL,
    state TEXT NOT NULL,
    national_status BIGINT NOT NULL,
    is_open BOOLEAN NOT NULL,
    current_step BIGINT NOT NULL,
    steps_total BIGINT NOT NULL,
    assignee TEXT,
    current_unit TEXT NOT NULL,
    appointment BIGINT,
    original_appointment BIGINT,
    received_at BIGINT,
    document TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX dossiers_assignee ON dossiers (assignee, is_open, appointment);
CREATE INDEX dossiers_unit ON dossiers (current_unit, is_open, appointment);
CREATE INDEX dossiers_open ON dossiers (is_open, appointment);
CREATE INDEX dossiers_state ON dossiers (state);

-- The intake checklist: one row per applicable component of the pinned version (position =
-- index in the version's components).
CREATE TABLE dossier_components (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    copy_type TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    required BOOLEAN NOT NULL,
    present BOOLEAN NOT NULL,
    file_id TEXT REFERENCES files (id),
    PRIMARY KEY (dossier_id, position)
);

-- Workflow steps (Mẫu 05): planned at receipt, filled in as the dossier moves.
CREATE TABLE dossier_steps (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    slice TEXT NOT NULL,
    due_at BIGINT,
    assignee TEXT,
    started_at BIGINT,
    handed_over_at BIGINT,
    giver TEXT,
    receiver TEXT,
    verdict TEXT,
    PRIMARY KEY (dossier_id, position)
);
