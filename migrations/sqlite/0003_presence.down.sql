ALTER TABLE memberships DROP COLUMN last_read_id;
ALTER TABLE memberships DROP COLUMN last_seen_at;
