-- Witnesses that cosign the audit log's checkpoints (C2SP tlog-witness), and the cosignatures they returned, kept
-- with the checkpoint size they sign so they are served with that checkpoint's note.
CREATE TABLE witnesses (
    name TEXT PRIMARY KEY,
    vkey TEXT NOT NULL,
    url TEXT NOT NULL,
    added_at TEXT NOT NULL,
    cosigned_size INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE cosignatures (
    witness TEXT NOT NULL REFERENCES witnesses (name),
    size INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (witness, size)
) STRICT;
