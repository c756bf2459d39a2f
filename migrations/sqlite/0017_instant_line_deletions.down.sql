-- Back to 0015's table: delete lines go, deleted markers stay as empty
-- text lines (their text is gone either way).
DELETE FROM instant_messages WHERE kind = 'delete';
UPDATE instant_messages SET kind = 'text' WHERE kind = 'deleted';
CREATE TABLE instant_messages_prev (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        TEXT NOT NULL REFERENCES instant_chats (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES instant_participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'joined', 'left', 'removed')),
    client_id      TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    attachment_id  INTEGER REFERENCES instant_attachments (id),
    UNIQUE (participant_id, client_id)
);
INSERT INTO instant_messages_prev (id, chat_id, participant_id, kind, client_id, body, created_at, attachment_id)
    SELECT id, chat_id, participant_id, kind, client_id, body, created_at, attachment_id FROM instant_messages;
CREATE TEMP TABLE carried_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'instant_messages';
DROP TABLE instant_messages;
ALTER TABLE instant_messages_prev RENAME TO instant_messages;
DELETE FROM sqlite_sequence WHERE name = 'instant_messages';
INSERT INTO sqlite_sequence (name, seq) SELECT 'instant_messages', seq FROM carried_sequence;
DROP TABLE carried_sequence;
CREATE INDEX instant_messages_chat ON instant_messages (chat_id, id);
CREATE UNIQUE INDEX instant_messages_attachment ON instant_messages (attachment_id) WHERE attachment_id IS NOT NULL;
