-- Leaving Roomlink (issue 41). A deleted account keeps its users row, so the
-- messages others saw keep an author, but nothing personal: its username
-- becomes "deleted user #<id>" (a space no username may hold, so nobody can
-- take it or look like it), its password hash is emptied (no log-in matches
-- it), and deleted_at says when. An 'account_deleted' line tells the other
-- person of a teacher space that the space is closed.
-- SQLite cannot change a CHECK, so messages is rebuilt as in 0014 (nothing
-- references it) and its id sequence carried over, so ids are never reused.
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
CREATE TABLE messages_next (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id       INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    client_id     TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    kind          TEXT    NOT NULL DEFAULT 'text'
        CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned', 'edit', 'delete', 'deleted', 'renamed', 'account_deleted')),
    attachment_id INTEGER REFERENCES attachments (id),
    actor_id      INTEGER REFERENCES users (id),
    invite_id     INTEGER REFERENCES invites (id),
    target_id     INTEGER,
    edited_at     INTEGER,
    UNIQUE (author_id, client_id)
);
INSERT INTO messages_next (id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id, target_id, edited_at)
    SELECT id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id, target_id, edited_at FROM messages;
CREATE TEMP TABLE carried_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'messages';
DROP TABLE messages;
ALTER TABLE messages_next RENAME TO messages;
DELETE FROM sqlite_sequence WHERE name = 'messages';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', seq FROM carried_sequence;
DROP TABLE carried_sequence;
CREATE INDEX messages_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
