-- Join requests (issue 40): a link may ask for approval before someone gets
-- in, as Telegram's join requests and Matrix's knock do. Accepting such a
-- link stores a request; approving it joins the person through that link
-- (its use counted then), declining it keeps a declined row so the person
-- is told, and cannot ask again through that link (a new link may).
ALTER TABLE invites ADD COLUMN needs_approval INTEGER NOT NULL DEFAULT 0 CHECK (needs_approval IN (0, 1));
CREATE TABLE join_requests (
    room_id      INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the link they asked through: the request ends with it (revoked or expired)
    invite_id    INTEGER NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    requested_at INTEGER NOT NULL,
    -- set when a moderator declined it, Unix ms; NULL while it waits
    declined_at  INTEGER,
    declined_by  INTEGER REFERENCES users (id),
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX join_requests_invite ON join_requests (invite_id);
