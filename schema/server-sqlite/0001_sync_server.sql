-- The sync server's database: every accepted event, the enrolled sites, each patient's care team, and each
-- site's feed (what it may pull, in the server-wide sequence). Shipped: never edit; add a new numbered file.

CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) = 64),
    patient TEXT NOT NULL,
    site TEXT NOT NULL,
    type TEXT NOT NULL,
    hlc_wall INTEGER NOT NULL,
    hlc_logical INTEGER NOT NULL,
    body BLOB NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

CREATE INDEX events_by_patient ON events (patient, seq);

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- A site's credential is kept only as its SHA-256; revoked sites keep their row so history stays attributable.
CREATE TABLE sites (
    name TEXT PRIMARY KEY,
    credential_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

-- The sites that may read and write a patient's record: the first site to send the patient, and sites it was
-- shared with by a patient.shared event.
CREATE TABLE care_team (
    patient TEXT NOT NULL,
    site TEXT NOT NULL REFERENCES sites (name),
    since_event TEXT NOT NULL,
    PRIMARY KEY (patient, site)
) STRICT;

-- What each site may pull, in one server-wide sequence. A site joining a care team gets the patient's earlier
-- events appended here, so its cursor never has to go back.
CREATE TABLE feed (
    seq INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    event_seq INTEGER NOT NULL REFERENCES events (seq),
    UNIQUE (site, event_seq)
) STRICT;

CREATE INDEX feed_by_site ON feed (site, seq);
