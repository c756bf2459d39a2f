-- Messages people can take back (issue 40). An edit or a deletion is a line
-- of its own in the room's id sequence ('edit', 'delete'), naming the
-- message it changes in target_id, so a tab that was away learns of it when
-- it catches up; the message itself is changed in the same transaction, so
-- history read later shows what it is now: an edited text with edited_at, or
-- a 'deleted' marker with no text and no file, actor_id naming who deleted it.
-- A 'renamed' line says the owner renamed the room; its body is the new name.
-- SQLite cannot change a CHECK, so the table is rebuilt (nothing references
-- it) and its id sequence carried over, so ids are never reused.
CREATE TABLE messages_next (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id       INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    client_id     TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    kind          TEXT    NOT NULL DEFAULT 'text'
        CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned', 'edit', 'delete', 'deleted', 'renamed')),
    attachment_id INTEGER REFERENCES attachments (id),
    -- removed and banned lines: the owner or moderator who did it; joined
    -- lines: who made the invite link; deleted messages and delete lines: who deleted it
    actor_id      INTEGER REFERENCES users (id),
    invite_id     INTEGER REFERENCES invites (id),
    -- edit and delete lines: the message they change
    target_id     INTEGER,
    -- an edited message: when it was last edited, Unix ms
    edited_at     INTEGER,
    UNIQUE (author_id, client_id)
);
INSERT INTO messages_next (id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id)
    SELECT id, room_id, author_id, client_id, body, created_at, kind, attachment_id, actor_id, invite_id FROM messages;
CREATE TEMP TABLE carried_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'messages';
DROP TABLE messages;
ALTER TABLE messages_next RENAME TO messages;
DELETE FROM sqlite_sequence WHERE name = 'messages';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', seq FROM carried_sequence;
DROP TABLE carried_sequence;
CREATE INDEX messages_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
