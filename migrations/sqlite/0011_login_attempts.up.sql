-- Log-in attempts per username (lower case, whether or not such an account
-- exists, so the answer tells nothing), counted in a window that starts with
-- the first attempt; past the limit further attempts are refused until the
-- window ends (src/limits.rs: LOGIN_ATTEMPTS_PER_USERNAME). A successful
-- log-in deletes the row. Kept in the database so the count holds across
-- restarts and across nodes.
CREATE TABLE login_attempts (
    username_key     TEXT    PRIMARY KEY,
    window_start_ms  INTEGER NOT NULL,
    attempts         INTEGER NOT NULL
);
