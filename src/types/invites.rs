//! Invite links' shared types: a link's state and how lists show it.

use serde::{Deserialize, Serialize};

use super::rooms::Role;

/// The state of an invite link. Checked in this order: a revoked link says
/// revoked even if it has also expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    /// Works.
    Active,
    /// Its lifetime is over.
    Expired,
    /// It has been used as many times as it may be.
    UsedUp,
    /// An owner, moderator or its maker revoked it.
    Revoked,
}

impl InviteStatus {
    /// The state of a link with these facts at `now_ms`.
    pub fn of(revoked: bool, uses: i64, max_uses: Option<i64>, expires_at: Option<i64>, now_ms: i64) -> InviteStatus {
        if revoked {
            InviteStatus::Revoked
        } else if max_uses.is_some_and(|max| uses >= max) {
            InviteStatus::UsedUp
        } else if expires_at.is_some_and(|at| at <= now_ms) {
            InviteStatus::Expired
        } else {
            InviteStatus::Active
        }
    }

    /// As shown in the panel and dashboard.
    pub fn label(self) -> &'static str {
        match self {
            InviteStatus::Active => "active",
            InviteStatus::Expired => "expired",
            InviteStatus::UsedUp => "used up",
            InviteStatus::Revoked => "revoked",
        }
    }
}

/// One invite link as the manage panel and the dashboard list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteSummary {
    /// Invite id.
    pub id: i64,
    /// Room it leads to.
    pub room_id: i64,
    /// That room's name.
    pub room_name: String,
    /// Label ("" for none).
    pub label: String,
    /// State now.
    pub status: InviteStatus,
    /// Times it was used.
    pub uses: i64,
    /// Most uses; `None` unlimited.
    pub max_uses: Option<i64>,
    /// Role it grants.
    pub role: Role,
    /// New members need a moderator's approval (join requests).
    pub needs_approval: bool,
    /// Username of its maker.
    pub created_by: String,
    /// When it was made, Unix ms.
    pub created_at: i64,
    /// When it stops working, Unix ms; `None` never.
    pub expires_at: Option<i64>,
    /// Usernames of the people who joined through it, in joining order.
    pub joined: Vec<String>,
}

impl InviteSummary {
    /// Active and not used yet: what the header's badge counts.
    pub fn is_pending(&self) -> bool {
        self.status == InviteStatus::Active && self.uses == 0
    }
}

/// Where someone's request to join a room stands, as they see it. The
/// store knows `Pending` and `Declined`
/// ([`crate::store::JoinRequests::state_of`]); the requester's waiting page
/// also learns `Approved` and `Ended` ([`crate::invites::await_join_request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for an owner or moderator.
    Pending,
    /// A moderator declined it: that link cannot ask again.
    Declined,
    /// A moderator approved it: the person is a member now.
    Approved,
    /// It no longer waits: withdrawn (perhaps in another tab), or its link
    /// was revoked or expired.
    Ended,
}

/// One pending join request, as owners and moderators see it in the room's
/// "Join requests" panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestView {
    /// Who asks (their user id).
    pub user_id: i64,
    /// Their username.
    pub username: String,
    /// The label of the link they asked through ("" for none).
    pub link_label: String,
    /// Who made that link.
    pub link_maker: String,
    /// When they asked, Unix ms.
    pub requested_at: i64,
}
