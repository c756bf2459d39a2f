UPDATE instant_messages SET kind = 'left' WHERE kind = 'removed';
ALTER TABLE instant_messages DROP CONSTRAINT instant_messages_kind_check;
ALTER TABLE instant_messages ADD CONSTRAINT instant_messages_kind_check CHECK (kind IN ('text', 'joined', 'left'));
ALTER TABLE instant_participants DROP COLUMN removed_at;
ALTER TABLE instant_chats DROP COLUMN locked;
