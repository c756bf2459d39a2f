-- An instant chat's host deletes any line, and a participant their own
-- (issue 40), as in member rooms (0014): a 'delete' line of its own in the
-- chat's id sequence names the line in target_id and who deleted it in
-- actor_id, and the line itself becomes a 'deleted' marker without text or
-- file in the same transaction.
-- SQLite cannot change a CHECK, so instant_messages is rebuilt (nothing
-- references it) and its id sequence carried over, so ids are never reused.
CREATE TABLE instant_messages_next (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        TEXT NOT NULL REFERENCES instant_chats (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES instant_participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL DEFAULT 'text'
        CHECK (kind IN ('text', 'joined', 'left', 'removed', 'delete', 'deleted')),
    client_id      TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    attachment_id  INTEGER REFERENCES instant_attachments (id),
    -- deleted lines and delete lines: the participant who deleted it
    actor_id       INTEGER REFERENCES instant_participants (id) ON DELETE CASCADE,
    -- delete lines: the line they delete
    target_id      INTEGER,
    UNIQUE (participant_id, client_id)
);
INSERT INTO instant_messages_next (id, chat_id, participant_id, kind, client_id, body, created_at, attachment_id)
    SELECT id, chat_id, participant_id, kind, client_id, body, created_at, attachment_id FROM instant_messages;
CREATE TEMP TABLE carried_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'instant_messages';
DROP TABLE instant_messages;
ALTER TABLE instant_messages_next RENAME TO instant_messages;
DELETE FROM sqlite_sequence WHERE name = 'instant_messages';
INSERT INTO sqlite_sequence (name, seq) SELECT 'instant_messages', seq FROM carried_sequence;
DROP TABLE carried_sequence;
CREATE INDEX instant_messages_chat ON instant_messages (chat_id, id);
CREATE UNIQUE INDEX instant_messages_attachment ON instant_messages (attachment_id) WHERE attachment_id IS NOT NULL;
