-- Images and voice messages in instant chats that keep history. The file
-- lives under <data_dir>/uploads/<storage_key> until the chat is swept, which
-- deletes these rows and the files. Chats without history keep their files
-- in memory only and never reach this table.
CREATE TABLE instant_attachments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        TEXT    NOT NULL REFERENCES instant_chats (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES instant_participants (id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL CHECK (kind IN ('image', 'voice')),
    -- the type sniffed from the file's bytes, e.g. image/png, audio/webm
    content_type   TEXT    NOT NULL,
    -- size of the file in bytes
    size_bytes     INTEGER NOT NULL,
    -- images: pixels; NULL for voice
    width          INTEGER,
    height         INTEGER,
    -- voice: length in milliseconds; NULL for images
    duration_ms    INTEGER,
    -- 32 random hex characters: the file's name under uploads/
    storage_key    TEXT    NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL
);
CREATE INDEX instant_attachments_chat ON instant_attachments (chat_id);

-- A line carries at most one attachment, and an attachment belongs to one line.
ALTER TABLE instant_messages ADD COLUMN attachment_id INTEGER REFERENCES instant_attachments (id);
CREATE UNIQUE INDEX instant_messages_attachment ON instant_messages (attachment_id) WHERE attachment_id IS NOT NULL;
