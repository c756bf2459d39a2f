-- Presence and reading: when each member was last online in a room (Unix
-- ms, NULL never), and the newest message id they have read there.
ALTER TABLE memberships ADD COLUMN last_seen_at INTEGER;
ALTER TABLE memberships ADD COLUMN last_read_id INTEGER NOT NULL DEFAULT 0;
