DELETE FROM instant_messages WHERE kind = 'delete';
UPDATE instant_messages SET kind = 'text' WHERE kind = 'deleted';
ALTER TABLE instant_messages DROP COLUMN target_id;
ALTER TABLE instant_messages DROP COLUMN actor_id;
ALTER TABLE instant_messages DROP CONSTRAINT instant_messages_kind_check;
ALTER TABLE instant_messages ADD CONSTRAINT instant_messages_kind_check CHECK (kind IN ('text', 'joined', 'left', 'removed'));
