-- Where an account is logged in (issue 41): one row per logged-in session,
-- beside tower-sessions' own table, so the profile can list an account's
-- sessions and end any of them. Times are Unix ms.
CREATE TABLE account_sessions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the tower-sessions id (the same secret its table keys by); never shown:
    -- pages name a session by `id`
    session_id     TEXT    NOT NULL UNIQUE,
    -- the User-Agent at log-in, cut to 512 characters
    user_agent     TEXT    NOT NULL,
    -- coarse: the IPv4 /24 or IPv6 /48 the log-in came from
    address        TEXT    NOT NULL,
    started_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL
);
CREATE INDEX account_sessions_user ON account_sessions (user_id);
