-- An instant chat's host locks it and removes participants (issue 40; see
-- the SQLite migration 0015).
ALTER TABLE instant_chats ADD COLUMN locked SMALLINT NOT NULL DEFAULT 0 CHECK (locked IN (0, 1));
ALTER TABLE instant_participants ADD COLUMN removed_at BIGINT;
ALTER TABLE instant_messages DROP CONSTRAINT instant_messages_kind_check;
ALTER TABLE instant_messages ADD CONSTRAINT instant_messages_kind_check CHECK (kind IN ('text', 'joined', 'left', 'removed'));
