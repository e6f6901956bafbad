-- Several stores per site (one per clinician's device, all with the site's credential): each event keeps the
-- store that pushed it, and a site's feed now holds its own events too, so every other store of the site receives
-- them; a pull leaves out the asking store's own events. Events stored before this migration have no store and
-- go to every store of their site (a store already holding one keeps it once).
-- Shipped: never edit this file; add a new numbered file instead.

ALTER TABLE events ADD COLUMN origin_store TEXT;

INSERT INTO feed (site, event_seq) SELECT site, seq FROM events ORDER BY seq ON CONFLICT DO NOTHING;
