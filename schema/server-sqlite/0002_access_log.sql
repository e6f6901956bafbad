-- Who read a patient's record through the server, when, from where, and with what outcome. Append-only like the
-- event log; no record content is kept here, only who asked about which patient.
CREATE TABLE access_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    site TEXT NOT NULL,
    patient TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    remote_address TEXT
) STRICT;

CREATE INDEX access_log_by_patient ON access_log (patient, seq);

CREATE TRIGGER access_log_refuse_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;

CREATE TRIGGER access_log_refuse_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
