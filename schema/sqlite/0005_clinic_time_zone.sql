-- The clinic's time zone, set at `accord init`: which day "today" is, and on which day an entry was made, follow
-- the clinic's clock rather than UTC. A store made before this migration has no row and uses the system's zone.
-- Shipped: never edit this file; add a new numbered file instead.
CREATE TABLE clinic_settings (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    time_zone TEXT NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64)
) STRICT;
