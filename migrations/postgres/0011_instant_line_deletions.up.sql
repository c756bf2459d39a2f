-- An instant chat's host deletes any line, and a participant their own
-- (issue 40; see the SQLite migration 0017).
ALTER TABLE instant_messages DROP CONSTRAINT instant_messages_kind_check;
ALTER TABLE instant_messages ADD CONSTRAINT instant_messages_kind_check
    CHECK (kind IN ('text', 'joined', 'left', 'removed', 'delete', 'deleted'));
ALTER TABLE instant_messages ADD COLUMN actor_id BIGINT REFERENCES instant_participants (id) ON DELETE CASCADE;
ALTER TABLE instant_messages ADD COLUMN target_id BIGINT;
