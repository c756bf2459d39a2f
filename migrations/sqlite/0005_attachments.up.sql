-- Images and voice messages in member rooms. The file itself lives under
-- <data_dir>/uploads/<storage_key>; the row says what it is, so it can be
-- served with its true type, to members of its room only.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id      INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    uploader_id  INTEGER NOT NULL REFERENCES users (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('image', 'voice')),
    -- the type sniffed from the file's bytes, e.g. image/png, audio/webm
    content_type TEXT    NOT NULL,
    -- size of the file in bytes
    size_bytes   INTEGER NOT NULL,
    -- images: pixels; NULL for voice
    width        INTEGER,
    height       INTEGER,
    -- voice: length in milliseconds; NULL for images
    duration_ms  INTEGER,
    -- 32 random hex characters: the file's name under uploads/
    storage_key  TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_room ON attachments (room_id);

-- A message carries at most one attachment, and an attachment belongs to one message.
ALTER TABLE messages ADD COLUMN attachment_id INTEGER REFERENCES attachments (id);
CREATE UNIQUE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;
