DELETE FROM messages WHERE kind IN ('edit', 'delete', 'renamed');
UPDATE messages SET kind = 'text', actor_id = NULL WHERE kind = 'deleted';
ALTER TABLE messages DROP COLUMN edited_at;
ALTER TABLE messages DROP COLUMN target_id;
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned'));
