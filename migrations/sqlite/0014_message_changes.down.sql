-- Back to messages without edits and deletions: the change lines go, and a
-- deleted message stays an empty text line (its text is gone for good).
DELETE FROM messages WHERE kind IN ('edit', 'delete', 'renamed');
UPDATE messages SET kind = 'text', actor_id = NULL WHERE kind = 'deleted';
CREATE TABLE messages_prev (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id       INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    client_id     TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    kind          TEXT    NOT NULL DEFAULT 'text'
        CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned')),
    attachment_id INTEGER REFERENCES attachments (id),
    actor_id      INTEGER REFERENCES users (id),
    invite_id     INTEGER REFERENCES invites (id),
    UNIQUE (author_id, client_id)
);
INSERT INTO messages_prev (id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id)
    SELECT id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id FROM messages;
CREATE TEMP TABLE carried_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'messages';
DROP TABLE messages;
ALTER TABLE messages_prev RENAME TO messages;
DELETE FROM sqlite_sequence WHERE name = 'messages';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', seq FROM carried_sequence;
DROP TABLE carried_sequence;
CREATE INDEX messages_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
