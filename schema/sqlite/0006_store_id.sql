-- Each store gets an id of its own, so the sync server can send a store every event of its site that another
-- store (another clinician's laptop at the same site) wrote, and never echo back the store's own events.
-- Shipped: never edit this file; add a new numbered file instead.

DROP TRIGGER store_identity_refuse_update;
ALTER TABLE store_identity ADD COLUMN store_id TEXT;
UPDATE store_identity SET store_id = lower(hex(randomblob(16)));
CREATE TRIGGER store_identity_refuse_update BEFORE UPDATE ON store_identity
BEGIN
    SELECT RAISE(ABORT, 'the store identity is fixed when the store is created');
END;
