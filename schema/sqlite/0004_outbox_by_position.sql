-- The outbox keyed by the event's position in this store instead of its id: acknowledgements then remove rows
-- that lie side by side, where removing random 64-digit ids rewrote pages all over the index (a push of 100,000
-- events spent 4 s here). Shipped: never edit this file; add a new numbered file instead.
CREATE TABLE outbox_by_position (
    seq INTEGER PRIMARY KEY REFERENCES events (seq),
    refused_code TEXT,
    refused_reason TEXT
) STRICT;

INSERT INTO outbox_by_position (seq, refused_code, refused_reason)
SELECT seq, refused_code, refused_reason FROM outbox ORDER BY seq;

DROP TABLE outbox;
ALTER TABLE outbox_by_position RENAME TO outbox;
