-- Recovery by email (issue 41). An account may have one confirmed email
-- address (email, as typed; email_key, lower case, unique, so a reset by
-- address finds one account). An address is only written here once a link
-- sent to it was followed; until then it is only in its token's row.
-- Tokens: 128 random bits in the link, only their hex SHA-256 kept; a
-- 'confirm' token works 24 hours, a 'reset' token an hour; each works once.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_key TEXT;
CREATE UNIQUE INDEX users_email_key ON users (email_key);
CREATE TABLE email_tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    -- the address the link was sent to
    email      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, created_at);
