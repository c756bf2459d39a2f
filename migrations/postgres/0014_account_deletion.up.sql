-- Leaving Roomlink (issue 41; see the SQLite migration 0020 for the
-- design): a deleted account keeps its users row without anything
-- personal, and an 'account_deleted' line closes a teacher space.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned', 'edit', 'delete', 'deleted', 'renamed', 'account_deleted'));
