-- Invite link options and states, room settings, per-member permissions, and
-- which link each member came through (issue 3).

-- Room settings: a description the join page shows, the most members the
-- room holds (the owner sets 2-1000), and whether plain members may make
-- invite links.
ALTER TABLE rooms ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN member_limit INTEGER NOT NULL DEFAULT 50
    CHECK (member_limit BETWEEN 2 AND 1000);
ALTER TABLE rooms ADD COLUMN members_can_invite INTEGER NOT NULL DEFAULT 1
    CHECK (members_can_invite IN (0, 1));

-- Link options. A link is active, expired (expires_at passed), used up
-- (uses = max_uses) or revoked (revoked_at set); the state is derived, never stored.
ALTER TABLE invites ADD COLUMN label TEXT NOT NULL DEFAULT '';
-- NULL: unlimited
ALTER TABLE invites ADD COLUMN max_uses INTEGER CHECK (max_uses IS NULL OR max_uses >= 1);
-- the role a member joining through it gets
ALTER TABLE invites ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
    CHECK (role IN ('moderator', 'member'));
ALTER TABLE invites ADD COLUMN revoked_at INTEGER;
ALTER TABLE invites ADD COLUMN revoked_by INTEGER REFERENCES users (id);
CREATE INDEX invites_creator ON invites (created_by, id);

-- Per-member permissions. can_write = 0 is "muted". can_invite and
-- can_moderate are NULL while they follow the role (and, for can_invite,
-- the room's members_can_invite); the owner may set them either way.
ALTER TABLE memberships ADD COLUMN can_write INTEGER NOT NULL DEFAULT 1 CHECK (can_write IN (0, 1));
ALTER TABLE memberships ADD COLUMN can_invite INTEGER CHECK (can_invite IN (0, 1));
ALTER TABLE memberships ADD COLUMN can_moderate INTEGER CHECK (can_moderate IN (0, 1));
CREATE INDEX memberships_invite ON memberships (invite_id) WHERE invite_id IS NOT NULL;

-- A "joined" line names the link it came through (its creator is actor_id),
-- shown to those who manage links.
ALTER TABLE messages ADD COLUMN invite_id INTEGER REFERENCES invites (id);
