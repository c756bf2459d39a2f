-- Roomlink's first schema: users, rooms, memberships, invites, messages.
-- Times are Unix milliseconds (INTEGER); ids increase and are never reused.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    -- lower-cased username: makes uniqueness ignore case
    username_key  TEXT    NOT NULL UNIQUE,
    -- Argon2id PHC string
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
);

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id    INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    -- hex SHA-256 of the token; the token itself is never stored
    token_hash TEXT    NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    -- NULL: never expires
    expires_at INTEGER,
    uses       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invites_room ON invites (room_id);

CREATE TABLE memberships (
    room_id   INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    role      TEXT    NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    -- the invite the member joined through; NULL for the owner
    invite_id INTEGER REFERENCES invites (id),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id    INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    -- id the sender's tab gave the message: a retried send is stored once
    client_id  TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (author_id, client_id)
);
CREATE INDEX messages_room ON messages (room_id, id);
