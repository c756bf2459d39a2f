-- Teacher spaces (issue 3): teachers make single-use language invites; a
-- student who accepts one gets a private two-person room with that teacher
-- for that language (a space), and the student role in their profile.

-- Profile roles. A user marks themselves a teacher; accepting a language
-- invite makes them a student. One person can be both.
ALTER TABLE users ADD COLUMN is_teacher INTEGER NOT NULL DEFAULT 0 CHECK (is_teacher IN (0, 1));
ALTER TABLE users ADD COLUMN is_student INTEGER NOT NULL DEFAULT 0 CHECK (is_student IN (0, 1));

-- A space is a room (so the live room works the same in it) between one
-- teacher (its owner) and one student, for one language.
CREATE TABLE spaces (
    room_id      INTEGER PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    teacher_id   INTEGER NOT NULL REFERENCES users (id),
    student_id   INTEGER NOT NULL REFERENCES users (id),
    -- as the teacher wrote it, trimmed
    language     TEXT    NOT NULL,
    -- lower-cased (Unicode, by the server): one space per teacher, student
    -- and language, whatever the case
    language_key TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (teacher_id, student_id, language_key),
    CHECK (teacher_id <> student_id)
);
CREATE INDEX spaces_student ON spaces (student_id);

-- Language invites: single-use links to a new space. Pending (unused, not
-- expired, not revoked), used (used_at set), expired or revoked; the state
-- is derived, never stored.
CREATE TABLE language_invites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- hex SHA-256 of the token; the token itself is never stored
    token_hash TEXT    NOT NULL UNIQUE,
    teacher_id INTEGER NOT NULL REFERENCES users (id),
    language   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    -- NULL: never expires
    expires_at INTEGER,
    used_at    INTEGER,
    used_by    INTEGER REFERENCES users (id),
    -- the space accepting it created (or reopened)
    space_id   INTEGER REFERENCES spaces (room_id) ON DELETE SET NULL,
    revoked_at INTEGER,
    CHECK ((used_at IS NULL) = (used_by IS NULL))
);
CREATE INDEX language_invites_teacher ON language_invites (teacher_id, id);
