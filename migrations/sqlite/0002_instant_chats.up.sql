-- Instant chats: rooms without accounts, reached by /instant-chat/<id>, that
-- end after a set time or when the host ends them. Times are Unix ms. Chats,
-- their participants and their messages are deleted together by the sweeper.

CREATE TABLE instant_chats (
    id            TEXT PRIMARY KEY,            -- nanoid, 16 URL-safe characters
    title         TEXT NOT NULL DEFAULT '',    -- may be empty
    keep_history  INTEGER NOT NULL CHECK (keep_history IN (0, 1)),
    created_at    INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,            -- created_at + instant_chat_hours
    ended_at      INTEGER                      -- set when the host ends it
);
CREATE INDEX instant_chats_ends_at ON instant_chats (ends_at);

CREATE TABLE instant_participants (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id       TEXT NOT NULL REFERENCES instant_chats (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,               -- as typed, trimmed
    name_key      TEXT,                        -- lower case, for uniqueness; NULL once left
    is_host       INTEGER NOT NULL DEFAULT 0 CHECK (is_host IN (0, 1)),
    user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL, -- NULL: a guest
    first_seen_id INTEGER NOT NULL DEFAULT 0,  -- id of their "joined" line
    joined_at     INTEGER NOT NULL,
    left_at       INTEGER,                     -- set when they leave; their lines stay
    UNIQUE (chat_id, name_key)
);
CREATE UNIQUE INDEX instant_participants_user ON instant_participants (chat_id, user_id)
    WHERE user_id IS NOT NULL AND left_at IS NULL;

-- Only chats that keep history write here; the others relay from memory.
CREATE TABLE instant_messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        TEXT NOT NULL REFERENCES instant_chats (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES instant_participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'joined', 'left')),
    client_id      TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (participant_id, client_id)
);
CREATE INDEX instant_messages_chat ON instant_messages (chat_id, id);
