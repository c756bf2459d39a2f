//! Making an invite link, previewing where it leads, and accepting it.

use leptos::prelude::*;

use super::{InviteLink, JoinPreview};
#[cfg(feature = "ssr")]
use super::{InviteOptions, InvitePreview};
use crate::{error::AppError, rooms::Role};
#[cfg(feature = "ssr")]
use crate::error::Refusal;

/// Makes an invite link for a room. Every option may be left out: the link
/// then works for `invite_lifetime_hours` (7 days by default), any number of
/// times, has no label and makes people members.
///
/// `lifetime_min`: one of [`crate::limits::INVITE_LIFETIMES_MIN`] (0 never);
/// `max_uses`: one of [`crate::limits::INVITE_MAX_USES`] (0 unlimited);
/// `label`: up to 32 characters; `role`: `member`, or `moderator` when the owner makes it;
/// `needs_approval`: people who accept it ask to join, and an owner or
/// moderator lets them in ([`super::requests`]).
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] when the member may not invite, asks for a
/// moderator link without being the owner, or the room is a teacher space; [`AppError::Invalid`] for
/// options outside the choices; [`AppError::TooManyRequests`] past the
/// per-user rate ([`crate::limits::INVITE_CREATES_BURST`]).
#[server(endpoint = "create_invite")]
pub async fn create_invite(
    room_id: i64,
    lifetime_min: Option<u32>,
    max_uses: Option<u32>,
    label: Option<String>,
    role: Option<Role>,
    needs_approval: Option<bool>,
) -> Result<InviteLink, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    let rights = state.store.rooms().rights_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
    if !rights.can_invite {
        return Err(AppError::Forbidden(Refusal::OnlyModeratorsInvite));
    }
    crate::spaces::api::ssr::refuse_in_space(&state, room_id, crate::error::Action::MakeInviteLinks).await?;
    let role = role.unwrap_or(Role::Member);
    if role == Role::Moderator && rights.role != Role::Owner {
        return Err(AppError::Forbidden(Refusal::OnlyOwnerMakesModeratorLinks));
    }
    let options = InviteOptions {
        lifetime_min: lifetime_min.unwrap_or(0),
        max_uses: max_uses.unwrap_or(0),
        label: label.unwrap_or_default(),
        role,
        needs_approval: needs_approval.unwrap_or(false),
    };
    let (lifetime_ms, max_uses, label) = super::check_options(&options).map_err(AppError::Invalid)?;
    // Left out: the configured default, which need not be one of the form's choices.
    let lifetime_ms = match lifetime_min {
        Some(_) => lifetime_ms,
        None => Some(i64::from(state.settings.invite_lifetime_hours) * 3_600_000),
    };
    if let Err(wait) = state.rate_limits.create_invite(me.id) {
        return Err(AppError::TooManyRequests(wait));
    }
    let (token, token_hash) = crate::invite_token::generate();
    let now = crate::clock::now_ms();
    let new = ssr::new_invite(room_id, &token_hash, me.id, now, lifetime_ms, max_uses, &label, role, options.needs_approval);
    let id = state.store.invites().create(new).await?;
    tracing::info!(room_id, invite_id = id, user_id = me.id, "invite link made");
    Ok(ssr::link(&state, id, &token, now, lifetime_ms, max_uses, label))
}

/// What an invite link leads to: a room, or a teacher's space for a
/// language invite. Reads only.
///
/// Errors: [`AppError::InviteInvalid`] for unknown, expired, used-up, used,
/// revoked or malformed tokens alike.
#[server(endpoint = "invite_preview")]
pub async fn get_invite_preview(token: String) -> Result<JoinPreview, AppError> {
    let hash = crate::invite_token::hash(&token).ok_or(AppError::InviteInvalid)?;
    let state = crate::context::state()?;
    let viewer = crate::accounts::ssr::current_user().await?;
    let Some(invite) = state.store.invites().find_usable(&hash, crate::clock::now_ms()).await? else {
        let space = crate::spaces::api::ssr::preview(&state, &hash, viewer).await?;
        return space.map(JoinPreview::Space).ok_or(AppError::InviteInvalid);
    };
    let (already_member, request) = match &viewer {
        Some(v) => {
            let member = state.store.rooms().role_of(invite.room_id, v.id).await?.is_some();
            (member, state.store.join_requests().state_of(invite.room_id, v.id, crate::clock::now_ms()).await?)
        }
        None => (false, None),
    };
    Ok(JoinPreview::Room(InvitePreview {
        room_id: invite.room_id,
        room_name: invite.room_name,
        room_description: invite.room_description,
        inviter: invite.inviter,
        member_count: invite.member_count,
        member_limit: invite.member_limit,
        online_now: state.hub.online_count(&crate::live::Topic::Room(invite.room_id)),
        expires_at_ms: invite.expires_at,
        uses_left: invite.max_uses.map(|max| max - invite.uses),
        viewer,
        already_member,
        needs_approval: invite.needs_approval,
        request,
    }))
}

/// Joins the room behind an invite and goes to it. A member already is
/// simply taken to the room. A link that needs approval stores a join
/// request instead ([`super::requests`]), tells the room's moderators, and
/// answers without a redirect: the join page (reloaded, without JavaScript)
/// then shows the request waiting. A teacher's language invite makes (or reopens)
/// the student's space instead ([`crate::spaces::api::ssr::accept`]). Join
/// attempts are rate-limited per client address ([`crate::limits::JOINS_BURST`]).
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::InviteInvalid`] for
/// unknown, expired, revoked, used or malformed tokens; [`AppError::InviteUsedUp`]
/// when a room link reached its maximum uses; [`AppError::RoomFull`];
/// [`AppError::Forbidden`] for someone banned from the room and for a
/// teacher accepting their own language invite; [`AppError::Conflict`] for
/// a student who has a space with this teacher for this language, and
/// [`AppError::Forbidden`] with [`Refusal::RequestDeclined`] when a
/// moderator declined this person's request through this link.
#[server(endpoint = "accept_invite")]
pub async fn accept_invite(token: String) -> Result<(), AppError> {
    use crate::store::Accepted;
    let me = crate::accounts::ssr::require_user().await?;
    let hash = crate::invite_token::hash(&token).ok_or(AppError::InviteInvalid)?;
    let state = crate::context::state()?;
    let room_id = match state.store.invites().accept(&hash, me.id, crate::clock::now_ms()).await? {
        Accepted::Joined { room_id, invite_id, creator_id } => {
            tracing::info!(room_id, invite_id, user_id = me.id, "joined through invite");
            crate::live::timeline::announce_join(state.timeline(), room_id, me.id, Some((invite_id, creator_id))).await;
            room_id
        }
        Accepted::AlreadyMember { room_id } => room_id,
        // Not a room's invite link: perhaps a teacher's language invite.
        Accepted::Invalid => crate::spaces::api::ssr::accept(&state, &hash, me.id).await?,
        Accepted::UsedUp => return Err(AppError::InviteUsedUp),
        Accepted::RoomFull { limit } => return Err(AppError::RoomFull(limit)),
        Accepted::Banned => {
            return Err(AppError::Forbidden(Refusal::Banned))
        }
        Accepted::NeedsApproval { room_id, invite_id } => {
            let asked = state.store.join_requests().ask(room_id, me.id, invite_id, crate::clock::now_ms()).await?;
            if asked == super::RequestState::Declined {
                return Err(AppError::Forbidden(Refusal::RequestDeclined));
            }
            tracing::info!(room_id, invite_id, user_id = me.id, "asked to join");
            super::requests::ssr::changed(&state, room_id).await;
            return Ok(());
        }
    };
    leptos_axum::redirect(&format!("/rooms/{room_id}"));
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::{
        invites::InviteLink,
        rooms::Role,
        context::AppState,
        store::NewInvite,
    };

    /// The fields of a new invite.
    #[allow(clippy::too_many_arguments)]
    pub fn new_invite<'s>(
        room_id: i64,
        token_hash: &'s str,
        created_by: i64,
        now_ms: i64,
        lifetime_ms: Option<i64>,
        max_uses: Option<i64>,
        label: &'s str,
        role: Role,
        needs_approval: bool,
    ) -> NewInvite<'s> {
        let expires_at_ms = lifetime_ms.map(|ms| now_ms + ms);
        NewInvite { room_id, token_hash, created_by, now_ms, expires_at_ms, max_uses, label, role, needs_approval }
    }

    /// The link as its maker sees it, this once.
    pub fn link(
        state: &AppState,
        id: i64,
        token: &str,
        now_ms: i64,
        lifetime_ms: Option<i64>,
        max_uses: Option<i64>,
        label: String,
    ) -> InviteLink {
        let origin = crate::context::public_origin(&state.settings);
        InviteLink {
            id,
            url: format!("{origin}/join/{token}"),
            qr_path: format!("/join/{token}/qr.svg"),
            expires_at_ms: lifetime_ms.map(|ms| now_ms + ms),
            max_uses,
            label,
        }
    }
}
