-- Leaving, removal and bans. A membership row is kept when someone goes, so
-- that a former member who comes back through an invite gets the same row
-- back (reactivated, not duplicated) and a ban outlives the membership.
ALTER TABLE memberships ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'left', 'removed', 'banned'));
-- when the status last changed, Unix ms (NULL while never changed)
ALTER TABLE memberships ADD COLUMN status_at INTEGER;
-- who removed or banned them (NULL when they left by themselves)
ALTER TABLE memberships ADD COLUMN status_by INTEGER REFERENCES users (id);

-- Timeline lines gain "removed" and "banned", and the moderator who did it.
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
        CHECK (kind IN ('text', 'joined', 'left', 'removed', 'banned')),
    attachment_id INTEGER REFERENCES attachments (id),
    -- for removed and banned lines: the owner or moderator who did it
    actor_id      INTEGER REFERENCES users (id),
    UNIQUE (author_id, client_id)
);
INSERT INTO messages_next (id, room_id, author_id, client_id, body, created_at, kind, attachment_id)
    SELECT id, room_id, author_id, client_id, body, created_at, kind, attachment_id FROM messages;
CREATE TEMP TABLE carried_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'messages';
DROP TABLE messages;
ALTER TABLE messages_next RENAME TO messages;
DELETE FROM sqlite_sequence WHERE name = 'messages';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages', seq FROM carried_sequence;
DROP TABLE carried_sequence;
CREATE INDEX messages_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
