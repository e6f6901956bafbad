-- Signatures, clinicians' keys, auditors and the tamper-evident audit log.
-- Shipped: never edit this file; add a new numbered file instead.

ALTER TABLE events ADD COLUMN signature BLOB;

-- Clinicians' Ed25519 public keys as their sites registered them; an administrator approves or revokes each.
-- A signed event is accepted only under an approved key of the site that sends it and of the event's author.
CREATE TABLE clinician_keys (
    fingerprint TEXT PRIMARY KEY CHECK (length(fingerprint) = 64),
    public_key BLOB NOT NULL CHECK (length(public_key) = 32),
    site TEXT NOT NULL REFERENCES sites (name),
    clinician_id TEXT NOT NULL,
    clinician_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
    registered_at TEXT NOT NULL,
    decided_at TEXT
) STRICT;

-- Compliance staff who may read the audit pages; only the credential's SHA-256 is kept.
CREATE TABLE auditors (
    name TEXT PRIMARY KEY,
    credential_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

-- The audit log: every accepted event and every audit-relevant action, in order. `entry` holds the exact bytes
-- hashed into the Merkle tree (RFC 6962: leaf = SHA-256(0x00 || entry)); the other columns repeat fields of the
-- entry for queries, and `audit verify` checks that they agree with it.
CREATE TABLE audit_log (
    position INTEGER PRIMARY KEY CHECK (position >= 0),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    site TEXT,
    patient TEXT,
    event_id TEXT,
    entry BLOB NOT NULL,
    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32)
) STRICT;

CREATE INDEX audit_log_by_patient ON audit_log (patient, position) WHERE patient IS NOT NULL;
CREATE UNIQUE INDEX audit_log_by_event ON audit_log (event_id) WHERE event_id IS NOT NULL;

CREATE TRIGGER audit_log_refuse_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_refuse_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The hashes of complete subtrees: (height h, index i) covers entries [i * 2^h, (i + 1) * 2^h). Height 0 repeats
-- the leaf hashes, so proofs need only this table.
CREATE TABLE merkle_nodes (
    height INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (height, idx)
) STRICT, WITHOUT ROWID;

-- The server's signed checkpoints, one after every change to the log.
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    root TEXT NOT NULL,
    at TEXT NOT NULL,
    signature TEXT NOT NULL,
    key TEXT NOT NULL
) STRICT;
