-- Messages people can take back (issue 40; see the SQLite migration 0014
-- for the design): edit and delete lines name the message they change, an
-- edited message keeps when, a deleted one becomes a 'deleted' marker; a
-- 'renamed' line says the owner renamed the room (body: the new name).
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned', 'edit', 'delete', 'deleted', 'renamed'));
ALTER TABLE messages ADD COLUMN target_id BIGINT;
ALTER TABLE messages ADD COLUMN edited_at BIGINT;
