//! Invite links: `/join/<token>` lets whoever opens it see the room and join.
//!
//! A token is 256 random bits in URL-safe base64; only its SHA-256 hash is
//! stored ([`crate::invite_token`]). Opening the link (a GET) never changes anything, since
//! link-preview bots open links too; joining is a POST ([`accept_invite`]).
//!
//! A link has options (lifetime, maximum uses, label, the role it grants;
//! Discord's choices, see [`crate::limits::INVITE_LIFETIMES_MIN`]) and a
//! state ([`InviteStatus`]), derived from what is stored, never stored
//! itself. From outside, unknown, expired, revoked, used-up and malformed
//! tokens all look the same ([`AppError::InviteInvalid`]); only someone who
//! presses Join on a link that filled up meanwhile is told so.
//!
//! [`api`]: making, previewing and accepting links; [`manage`]: listing and
//! revoking them (the room's "Manage invite links" panel and `/dashboard`).

pub mod api;
pub mod manage;
#[cfg(feature = "ssr")]
pub mod qr;
pub mod requests;

use serde::{Deserialize, Serialize};

pub use crate::types::invites::{InviteStatus, InviteSummary, JoinRequestView, RequestState};
pub use api::{accept_invite, create_invite, get_invite_preview, AcceptInvite, CreateInvite};
pub use manage::{
    get_dashboard, pending_invite_count, reset_invite_links, revoke_invite, room_invites, Dashboard, ResetInviteLinks,
    RevokeInvite,
};
pub use requests::{
    approve_join_request, await_join_request, decline_join_request, join_requests, withdraw_join_request,
    ApproveJoinRequest, DeclineJoinRequest, WithdrawJoinRequest,
};

use crate::{
    accounts::CurrentUser,
    error::{Field, Refusal},
    limits::{INVITE_LABEL_MAX_CHARS, INVITE_LIFETIMES_MIN, INVITE_MAX_USES},
    rooms::Role,
};

/// A freshly made invite link. Its token is shown this once: the server
/// keeps only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLink {
    /// The invite's id (to find it again in the manage panel).
    pub id: i64,
    /// Full link, `http(s)://<host>/join/<token>`.
    pub url: String,
    /// Path of its QR code, `/join/<token>/qr.svg`.
    pub qr_path: String,
    /// When it stops working, Unix ms; `None` never.
    pub expires_at_ms: Option<i64>,
    /// Most uses; `None` unlimited.
    pub max_uses: Option<i64>,
    /// Its label ("" for none).
    pub label: String,
}

/// What the join page shows about an invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    /// Room the link leads to.
    pub room_id: i64,
    /// That room's name.
    pub room_name: String,
    /// That room's description ("" for none).
    pub room_description: String,
    /// Who made the link.
    pub inviter: String,
    /// Members in the room now.
    pub member_count: i64,
    /// Most members the room holds.
    pub member_limit: i64,
    /// Members with the room open right now.
    pub online_now: usize,
    /// When the link stops working, Unix ms; `None` never.
    pub expires_at_ms: Option<i64>,
    /// Uses the link has left; `None` unlimited.
    pub uses_left: Option<i64>,
    /// Who is looking, if logged in.
    pub viewer: Option<CurrentUser>,
    /// True when the viewer is a member already.
    pub already_member: bool,
    /// New members need a moderator's approval: Join asks instead.
    pub needs_approval: bool,
    /// The viewer's request to join this room, if one waits or was declined.
    pub request: Option<RequestState>,
}

/// What `/join/<token>` leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinPreview {
    /// A room's invite link.
    Room(InvitePreview),
    /// A teacher's language invite: accepting it makes a private space.
    Space(crate::spaces::SpacePreview),
}

/// Options of a new invite link, as the form sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOptions {
    /// Lifetime in minutes, one of [`INVITE_LIFETIMES_MIN`] (0: never).
    pub lifetime_min: u32,
    /// Most uses, one of [`INVITE_MAX_USES`] (0: unlimited).
    pub max_uses: u32,
    /// Label, up to 32 characters after trimming; may be empty.
    pub label: String,
    /// Role it grants: `Member`, or `Moderator` when the owner makes it.
    pub role: Role,
    /// New members need a moderator's approval (join requests).
    pub needs_approval: bool,
}

/// The options of a new link, checked: (expires after ms or never, max
/// uses or unlimited, trimmed label). Errors: the [`Refusal`] naming the choices, or the label's.
pub fn check_options(options: &InviteOptions) -> Result<(Option<i64>, Option<i64>, String), Refusal> {
    if !INVITE_LIFETIMES_MIN.contains(&options.lifetime_min) {
        return Err(Refusal::LifetimeChoice);
    }
    if !INVITE_MAX_USES.contains(&options.max_uses) {
        return Err(Refusal::MaxUsesChoice);
    }
    let label = crate::names::visible(&options.label, Field::LinkLabel)?;
    let label = label.trim();
    let len = label.chars().count();
    if len > INVITE_LABEL_MAX_CHARS {
        return Err(Refusal::TooLong { field: Field::LinkLabel, max: INVITE_LABEL_MAX_CHARS, len });
    }
    if options.role == Role::Owner {
        return Err(Refusal::LinkRole);
    }
    let lifetime = (options.lifetime_min > 0).then(|| i64::from(options.lifetime_min) * 60_000);
    let max_uses = (options.max_uses > 0).then(|| i64::from(options.max_uses));
    Ok((lifetime, max_uses, label.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(lifetime_min: u32, max_uses: u32, label: &str, role: Role) -> InviteOptions {
        InviteOptions { lifetime_min, max_uses, label: label.into(), role, needs_approval: false }
    }

    #[test]
    fn options_are_checked() {
        assert_eq!(check_options(&options(30, 1, "  News ", Role::Member)), Ok((Some(1_800_000), Some(1), "News".into())));
        assert_eq!(check_options(&options(0, 0, "", Role::Moderator)), Ok((None, None, String::new())));
        assert!(check_options(&options(45, 1, "", Role::Member)).unwrap_err().to_string().contains("30 minutes"));
        assert!(check_options(&options(30, 7, "", Role::Member)).unwrap_err().to_string().contains("unlimited"));
        assert!(check_options(&options(30, 1, &"x".repeat(33), Role::Member)).unwrap_err().to_string().contains("33"));
        assert!(check_options(&options(30, 1, &"é".repeat(32), Role::Member)).is_ok());
        assert!(check_options(&options(30, 1, "a\nb", Role::Member)).is_err());
        assert!(check_options(&options(30, 1, "", Role::Owner)).is_err());
    }

    #[test]
    fn states_in_order() {
        use InviteStatus::*;
        assert_eq!(InviteStatus::of(false, 0, None, None, 10), Active);
        assert_eq!(InviteStatus::of(false, 4, Some(5), Some(11), 10), Active);
        assert_eq!(InviteStatus::of(false, 5, Some(5), Some(11), 10), UsedUp);
        assert_eq!(InviteStatus::of(false, 0, Some(5), Some(10), 10), Expired, "expiry is exclusive");
        assert_eq!(InviteStatus::of(true, 5, Some(5), Some(1), 10), Revoked);
    }
}
