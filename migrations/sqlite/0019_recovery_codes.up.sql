-- Recovery codes (issue 41): ten one-time codes per account, shown once at
-- sign-up (or when the person makes a new set) and kept here only as the
-- hex SHA-256 of the code's normalised form (80 random bits each, so a copy
-- of the database does not hold working codes). Using a code deletes its
-- row; a new set deletes the old one. Times are Unix ms.
CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
