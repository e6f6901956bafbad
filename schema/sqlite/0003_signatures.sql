-- Signed entries (consents, agreements, taper plan changes) keep their Ed25519 signature beside the exact bytes it
-- covers. Shipped: never edit this file; add a new numbered file instead.
ALTER TABLE events ADD COLUMN signature BLOB;

-- The server's audit log as this site last verified it: the signed checkpoint and the server's key, pinned at the
-- first sync, so a log that was rewritten, rolled back or re-signed with another key stops the sync.
ALTER TABLE sync_remote ADD COLUMN server_key TEXT;
ALTER TABLE sync_remote ADD COLUMN checkpoint TEXT;

-- This clinician's key as the server last reported it (pending, approved, revoked): once approved, a sync need not
-- register it again.
ALTER TABLE sync_remote ADD COLUMN key_status TEXT;
