-- Working-day calendar (issue 3): official day-off schedules as versioned data, agencies'
-- working hours and closures. Every change is an event; the national calendar's version is the
-- sequence number of its event on aggregate calendar/national.

-- One row per version of the national calendar (version 1 = the shipped 2019–2026 schedules).
CREATE TABLE calendar_versions (
    version INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id),
    change TEXT NOT NULL,
    summary TEXT NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Official schedule entries. A row is valid for versions valid_from_version <= v <
-- valid_to_version (NULL: still valid); a correction closes the row and adds a new one, so the
-- calendar "as of" any version can be rebuilt.
CREATE TABLE calendar_entries (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    reference TEXT NOT NULL,
    valid_from_version INTEGER NOT NULL,
    valid_to_version INTEGER
);
CREATE INDEX calendar_entries_validity ON calendar_entries (valid_from_version, valid_to_version);
CREATE INDEX calendar_entries_day ON calendar_entries (day);

-- An agency's (unit's) working hours: the JSON of motcua_core::calendar::WorkingHours.
CREATE TABLE agency_hours (
    unit_code TEXT PRIMARY KEY,
    hours TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Days an agency is closed (cơ quan nghỉ), e.g. a local event.
CREATE TABLE agency_closures (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT agency_closures_unit_day UNIQUE (unit_code, day)
);
