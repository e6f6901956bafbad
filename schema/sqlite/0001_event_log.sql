-- The site's append-only event log, its identity, its clock and the patient directory.
-- Shipped: never edit this file; add a new numbered file instead.

-- Every fact is an event. `body` holds the exact canonical bytes; `id` is their SHA-256. The other columns are
-- read out of `body` when the event is stored, so rows can be found without decoding every body.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) = 64),
    patient TEXT NOT NULL CHECK (length(patient) = 36),
    type TEXT NOT NULL,
    site TEXT NOT NULL,
    hlc_wall INTEGER NOT NULL,
    hlc_logical INTEGER NOT NULL,
    body BLOB NOT NULL
) STRICT;

CREATE INDEX events_by_patient ON events (patient, hlc_wall, hlc_logical, site, id);

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: an event is never changed; record a correction instead');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: an event is never deleted; mark it entered in error instead');
END;

-- Who writes at this store: one site and one clinician, fixed at `accord init`.
CREATE TABLE store_identity (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    site TEXT NOT NULL,
    clinician_id TEXT NOT NULL,
    clinician_name TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER store_identity_refuse_update BEFORE UPDATE ON store_identity
BEGIN
    SELECT RAISE(ABORT, 'the store identity is fixed when the store is created');
END;

-- The last hybrid logical clock timestamp issued or seen, so the clock never goes back across restarts.
CREATE TABLE hlc_state (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    wall INTEGER NOT NULL,
    logical INTEGER NOT NULL
) STRICT;

INSERT INTO hlc_state (singleton, wall, logical) VALUES (1, 0, 0);

-- A cache of each patient's name, birth date and MRN, folded from the log whenever those events change, so
-- patients can be listed and found by MRN without reading the log.
CREATE TABLE patient_directory (
    patient TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    born TEXT NOT NULL,
    mrn TEXT
) STRICT;

CREATE INDEX patient_directory_by_mrn ON patient_directory (mrn);
