//! Keeping track of invite links: the room's "Manage invite links" panel
//! (owners and moderators), revoking, "Reset link", and `/dashboard`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{InviteLink, InviteSummary};
use crate::{error::AppError, rooms::RoomSummary};
#[cfg(feature = "ssr")]
use crate::error::Refusal;

/// What `/dashboard` shows a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Rooms they own or moderate.
    pub rooms: Vec<RoomSummary>,
    /// Every link they made in rooms they are still in: pending first, then newest.
    pub invites: Vec<InviteSummary>,
    /// Their language invites and the spaces they teach in.
    pub teaching: crate::spaces::Teaching,
    /// (room id, join requests waiting) for the rooms they moderate where
    /// some wait.
    pub join_requests: Vec<(i64, i64)>,
}

/// Every invite link of a room, pending (active, unused) first, then newest.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for members who do not moderate the room.
#[server(endpoint = "room_invites")]
pub async fn room_invites(room_id: i64) -> Result<Vec<InviteSummary>, AppError> {
    let (_, state) = ssr::moderator_of(room_id).await?;
    Ok(state.store.invites().for_room(room_id, crate::clock::now_ms()).await?)
}

/// Revokes an invite link: it stops working at once, and the join requests
/// made through it end. Its maker may revoke it, and so may the room's
/// owner and moderators.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotFound`] for an unknown
/// invite; [`AppError::Forbidden`] for anyone else; [`AppError::Invalid`]
/// when it was revoked already.
#[server(endpoint = "revoke_invite")]
pub async fn revoke_invite(invite_id: i64) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    let (room_id, maker) = state.store.invites().owner_of(invite_id).await?.ok_or(AppError::NotFound)?;
    let rights = state.store.rooms().rights_of(room_id, me.id).await?;
    let maker_still_in = maker == me.id && rights.is_some();
    if !(maker_still_in || rights.is_some_and(|r| r.can_moderate)) {
        return Err(AppError::Forbidden(Refusal::OnlyMakerRevokes));
    }
    if !state.store.invites().revoke(invite_id, me.id, crate::clock::now_ms()).await? {
        return Err(AppError::Invalid(Refusal::AlreadyRevoked));
    }
    tracing::info!(room_id, invite_id, user_id = me.id, "invite link revoked");
    // Its join requests ended with it: moderators' badges and waiting pages follow.
    super::requests::ssr::changed(&state, room_id).await;
    Ok(())
}

/// "Reset link": revokes every link of the room that still works and makes
/// a fresh one with the default options, in one transaction. Like
/// Telegram's "Revoke link" on a group's primary link.
///
/// Errors: as [`room_invites`], and [`AppError::TooManyRequests`] past the
/// per-user rate for making links.
#[server(endpoint = "reset_invite_links")]
pub async fn reset_invite_links(room_id: i64) -> Result<InviteLink, AppError> {
    let (me, state) = ssr::moderator_of(room_id).await?;
    crate::spaces::api::ssr::refuse_in_space(&state, room_id, crate::error::Action::MakeInviteLinks).await?;
    if let Err(wait) = state.rate_limits.create_invite(me.id) {
        return Err(AppError::TooManyRequests(wait));
    }
    let (token, token_hash) = crate::invite_token::generate();
    let now = crate::clock::now_ms();
    let lifetime_ms = Some(i64::from(state.settings.invite_lifetime_hours) * 3_600_000);
    let fresh = super::api::ssr::new_invite(room_id, &token_hash, me.id, now, lifetime_ms, None, "", crate::rooms::Role::Member, false);
    let (revoked, id) = state.store.invites().reset(fresh).await?;
    tracing::info!(room_id, revoked, invite_id = id, "invite links reset");
    super::requests::ssr::changed(&state, room_id).await;
    Ok(super::api::ssr::link(&state, id, &token, now, lifetime_ms, None, String::new()))
}

/// The logged-in user's dashboard.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    let mut rooms = state.store.rooms().summaries_for_user(me.id).await?;
    rooms.retain(|r| r.role != crate::rooms::Role::Member);
    let invites = state.store.invites().by_creator(me.id, crate::clock::now_ms()).await?;
    let teaching = crate::spaces::api::ssr::teaching(&state, me.id).await?;
    let join_requests = state.store.join_requests().pending_for_moderator(me.id, crate::clock::now_ms()).await?;
    Ok(Dashboard { rooms, invites, teaching, join_requests })
}

/// How many of the logged-in user's links are pending (active and unused),
/// room invite links and language invites together, for the header's
/// badge; 0 when logged out.
#[server(endpoint = "pending_invites")]
pub async fn pending_invite_count() -> Result<i64, AppError> {
    let Some(me) = crate::accounts::ssr::current_user().await? else { return Ok(0) };
    let state = crate::context::state()?;
    let now = crate::clock::now_ms();
    Ok(state.store.invites().pending_count(me.id, now).await? + state.store.spaces().pending_count(me.id, now).await?)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        accounts::CurrentUser,
        context::AppState,
        error::{AppError, Refusal},
    };

    /// The logged-in user, if they moderate `room_id`.
    pub async fn moderator_of(room_id: i64) -> Result<(CurrentUser, AppState), AppError> {
        let me = crate::accounts::ssr::require_user().await?;
        let state = crate::context::state()?;
        let rights = state.store.rooms().rights_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
        if !rights.can_moderate {
            return Err(AppError::Forbidden(Refusal::OnlyModeratorsManageLinks));
        }
        Ok((me, state))
    }
}
