//! Rooms' shared types: roles, rights and what lists and pages show of a room.

use serde::{Deserialize, Serialize};

/// A member's role in a room. Stored as lower-case text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Made the room.
    Owner,
    /// Helps the owner run it.
    Moderator,
    /// Everyone else.
    Member,
}

impl Role {
    /// As shown in tags and lists: "owner", "moderator", "member".
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Moderator => "moderator",
            Role::Member => "member",
        }
    }
}

/// What a member may do in a room: their role and the permissions it gives,
/// as changed by the owner (Discord's per-member overrides, reduced to three).
/// The owner may always do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rights {
    /// Their role.
    pub role: Role,
    /// May send messages and attachments; false means muted.
    pub can_write: bool,
    /// May make invite links (members: the room's setting, unless changed).
    pub can_invite: bool,
    /// May remove, ban and mute plain members, and manage invite links.
    pub can_moderate: bool,
}

/// What a person's room lists (home, dashboard) show changes when this
/// does: read again on a change ([`crate::rooms::activity::await_room_activity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomsActivity {
    /// The newest line id in any of their rooms (0 for none).
    pub newest_line: i64,
    /// Join requests waiting in the rooms they moderate.
    pub join_requests: i64,
}

/// One line of a user's room list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RoomSummary {
    /// Room id.
    pub id: i64,
    /// Room name.
    pub name: String,
    /// The user's role there.
    pub role: Role,
    /// Members in the room.
    pub member_count: i64,
    /// Messages from others since the user last read the room.
    pub unread: i64,
}

/// Someone banned from a room, as its ban list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BannedMember {
    /// Their user id.
    pub user_id: i64,
    /// Their username.
    pub name: String,
    /// When they were banned, Unix ms.
    pub banned_at: i64,
    /// Who banned them; `None` if that account is gone.
    pub banned_by: Option<String>,
}

/// A room's public facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RoomInfo {
    /// Room id.
    pub id: i64,
    /// Room name.
    pub name: String,
    /// What the room is for ("" for nothing), shown on the join page.
    pub description: String,
    /// Most members the room holds (2-1000).
    pub member_limit: i64,
    /// Whether plain members may make invite links.
    #[cfg_attr(feature = "ssr", sqlx(try_from = "super::columns::Flag"))]
    pub members_can_invite: bool,
    /// Members in the room.
    pub member_count: i64,
}
