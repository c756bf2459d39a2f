DELETE FROM messages WHERE kind = 'account_deleted';
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned', 'edit', 'delete', 'deleted', 'renamed'));
ALTER TABLE users DROP COLUMN deleted_at;
