-- Sync with the companion server: what this site has written that the server has not acknowledged (the outbox),
-- where the site has read up to in the server's feed (the cursor), and the server it talks to.
-- Shipped: never edit this file; add a new numbered file instead.

CREATE TABLE outbox (
    event_id TEXT PRIMARY KEY REFERENCES events (id),
    seq INTEGER NOT NULL,
    refused_code TEXT,
    refused_reason TEXT
) STRICT;

CREATE INDEX outbox_in_order ON outbox (seq);

-- Events written here before this migration have never been sent.
INSERT INTO outbox (event_id, seq)
SELECT id, seq FROM events WHERE site = (SELECT site FROM store_identity);

CREATE TABLE sync_remote (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    url TEXT NOT NULL,
    credential TEXT NOT NULL,
    cursor INTEGER NOT NULL DEFAULT 0,
    last_sync_at TEXT
) STRICT;
