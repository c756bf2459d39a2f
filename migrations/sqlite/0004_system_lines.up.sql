-- System lines in member rooms ("bruno joined"), in the same id sequence as
-- messages so that catch-up after a reconnect covers them too.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
    CHECK (kind IN ('text', 'joined', 'left'));
