-- Back to messages without 'account_deleted' lines (they go); deleted
-- accounts stay as they are, without their deleted_at.
DELETE FROM messages WHERE kind = 'account_deleted';
CREATE TABLE messages_prev (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id       INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    client_id     TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    kind          TEXT    NOT NULL DEFAULT 'text'
        CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned', 'edit', 'delete', 'deleted', 'renamed')),
    attachment_id INTEGER REFERENCES attachments (id),
    actor_id      INTEGER REFERENCES users (id),
    invite_id     INTEGER REFERENCES invites (id),
    target_id     INTEGER,
    edited_at     INTEGER,
    UNIQUE (author_id, client_id)
);
INSERT INTO messages_prev (id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id, target_id, edited_at)
    SELECT id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id, target_id, edited_at FROM messages;
CREATE TEMP TABLE carried_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'messages';
DROP TABLE messages;
ALTER TABLE messages_prev RENAME TO messages;
DELETE FROM sqlite_sequence WHERE name = 'messages';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', seq FROM carried_sequence;
DROP TABLE carried_sequence;
CREATE INDEX messages_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
ALTER TABLE users DROP COLUMN deleted_at;
