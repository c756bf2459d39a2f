//! Invite links: `/join/<token>` lets whoever opens it see the room and join.
//!
//! A token is 256 random bits in URL-safe base64; only its SHA-256 hash is
//! stored ([`token`]). Opening the link (a GET) never changes anything, since
//! link-preview bots open links too; joining is a POST ([`accept_invite`]).
//! Unknown, expired and malformed tokens all answer [`AppError::InviteInvalid`]
//! so that nobody can tell them apart.

#[cfg(feature = "ssr")]
pub mod token;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{accounts::CurrentUser, error::AppError};

/// A freshly made invite link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLink {
    /// Full link, `http(s)://<host>/join/<token>`.
    pub url: String,
    /// When it stops working, Unix ms; `None` never.
    pub expires_at_ms: Option<i64>,
}

/// What the join page shows about an invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    /// Room the link leads to.
    pub room_id: i64,
    /// That room's name.
    pub room_name: String,
    /// Who made the link.
    pub inviter: String,
    /// Members in the room now.
    pub member_count: i64,
    /// Members with the room open right now.
    pub online_now: usize,
    /// When the link stops working, Unix ms; `None` never.
    pub expires_at_ms: Option<i64>,
    /// Who is looking, if logged in.
    pub viewer: Option<CurrentUser>,
    /// True when the viewer is a member already.
    pub already_member: bool,
}

/// Makes an invite link for a room the logged-in user is a member of, valid
/// for the configured lifetime (`invite_lifetime_hours`, 7 days by default).
///
/// Errors: [`AppError::NotLoggedIn`], [`AppError::NotMember`].
#[server(endpoint = "create_invite")]
pub async fn create_invite(room_id: i64) -> Result<InviteLink, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::server::state()?;
    state.store.rooms().role_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
    let (token, token_hash) = token::generate();
    let now = crate::server::now_ms();
    let expires_at_ms = Some(now + i64::from(state.settings.invite_lifetime_hours) * 3_600_000);
    state
        .store
        .invites()
        .create(crate::store::NewInvite {
            room_id,
            token_hash: &token_hash,
            created_by: me.id,
            now_ms: now,
            expires_at_ms,
        })
        .await?;
    let origin = crate::server::public_origin(&state.settings);
    Ok(InviteLink { url: format!("{origin}/join/{token}"), expires_at_ms })
}

/// What an invite link leads to. Reads only.
///
/// Errors: [`AppError::InviteInvalid`] for unknown, expired or malformed tokens.
#[server(endpoint = "invite_preview")]
pub async fn get_invite_preview(token: String) -> Result<InvitePreview, AppError> {
    let hash = token::hash(&token).ok_or(AppError::InviteInvalid)?;
    let state = crate::server::state()?;
    let invite = state
        .store
        .invites()
        .find_usable(&hash, crate::server::now_ms())
        .await?
        .ok_or(AppError::InviteInvalid)?;
    let viewer = crate::accounts::ssr::current_user().await?;
    let already_member = match &viewer {
        Some(v) => state.store.rooms().role_of(invite.room_id, v.id).await?.is_some(),
        None => false,
    };
    Ok(InvitePreview {
        room_id: invite.room_id,
        room_name: invite.room_name,
        inviter: invite.inviter,
        member_count: invite.member_count,
        online_now: state.hub.online_count(&crate::live::Topic::Room(invite.room_id)),
        expires_at_ms: invite.expires_at,
        viewer,
        already_member,
    })
}

/// Joins the room behind an invite and goes to it. A member already is
/// simply taken to the room.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::InviteInvalid`] for unknown,
/// expired or malformed tokens; [`AppError::Forbidden`] for someone banned
/// from the room.
#[server(endpoint = "accept_invite")]
pub async fn accept_invite(token: String) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let hash = token::hash(&token).ok_or(AppError::InviteInvalid)?;
    let state = crate::server::state()?;
    let accepted = state
        .store
        .invites()
        .accept(&hash, me.id, crate::server::now_ms())
        .await?
        .ok_or(AppError::InviteInvalid)?;
    if accepted.banned {
        return Err(AppError::Forbidden("You are banned from this room and cannot join it again.".into()));
    }
    if !accepted.already_member {
        tracing::info!(room_id = accepted.room_id, user_id = me.id, "joined through invite");
        announce_join(&state, accepted.room_id, me.id).await;
    }
    leptos_axum::redirect(&format!("/rooms/{}", accepted.room_id));
    Ok(())
}

/// Puts "<name> joined" in the room's timeline, live. A failure is logged:
/// the membership stands either way.
#[cfg(feature = "ssr")]
async fn announce_join(state: &crate::server::AppState, room_id: i64, user_id: i64) {
    use crate::live::{MessageKind, Topic};
    let now = crate::server::now_ms();
    let client_id = format!("sys:joined:{room_id}:{now}");
    let stored = state
        .hub
        .store_and_publish(&Topic::Room(room_id), || async {
            state.store.messages().insert_line(room_id, user_id, MessageKind::Joined, &client_id, "", now).await
        })
        .await;
    if let Err(err) = stored {
        tracing::error!(error = %err, "announcing a join failed");
    }
}
