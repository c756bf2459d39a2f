//! Join requests (issue 40): asking to join through a link that needs
//! approval, and the owners' and moderators' answers.
//!
//! [`accept_invite`](super::accept_invite) on such a link stores a request
//! ([`crate::store::JoinRequests`]) and tells the room's moderators live
//! ([`crate::live::hub::Hub::join_requests_changed`]). They list the
//! requests ([`join_requests`]) and approve or decline each; the requester's
//! page waits for the answer ([`await_join_request`]) and turns into the
//! room when approved, or can withdraw the request.
//!
//! Approving joins the person through the link they asked with, checking at
//! that moment the link's use limit and expiry, the room's member limit and
//! bans, atomically with counting the use (Telegram's join requests,
//! Matrix's knock).

use leptos::prelude::*;

use super::{JoinRequestView, RequestState};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::{Action, Refusal};

/// The join requests waiting in a room, oldest first. For its owner and
/// moderators.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for a member who does not moderate.
#[server(endpoint = "join_requests")]
pub async fn join_requests(room_id: i64) -> Result<Vec<JoinRequestView>, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    crate::rooms::moderation::ssr::require_moderator(&state, room_id, me.id, Action::AnswerJoinRequests).await?;
    Ok(state.store.join_requests().pending(room_id, crate::clock::now_ms()).await?)
}

/// Lets `user_id` in: they join through the link they asked with, which
/// counts a use, and a "joined" line goes into the timeline; their waiting
/// page turns into the room.
///
/// Errors: as [`join_requests`]; [`AppError::Invalid`] with
/// [`Refusal::RequestNotWaiting`] when no request waits, or
/// [`Refusal::RequestLinkEnded`] when its link was revoked or expired;
/// [`AppError::InviteUsedUp`] when the link has no use left;
/// [`AppError::RoomFull`] (the request keeps waiting);
/// [`AppError::Forbidden`] with [`Refusal::RequesterBanned`].
#[server(endpoint = "approve_join_request")]
pub async fn approve_join_request(room_id: i64, user_id: i64) -> Result<(), AppError> {
    use crate::store::Accepted;
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    crate::rooms::moderation::ssr::require_moderator(&state, room_id, me.id, Action::AnswerJoinRequests).await?;
    let answer = state.store.join_requests().approve(room_id, user_id, crate::clock::now_ms()).await?;
    let result = match answer {
        None => Err(AppError::Invalid(Refusal::RequestNotWaiting)),
        Some(Accepted::Joined { invite_id, creator_id, .. }) => {
            tracing::info!(room_id, invite_id, user_id, by = me.id, "join request approved");
            crate::live::timeline::announce_join(state.timeline(), room_id, user_id, Some((invite_id, creator_id))).await;
            Ok(())
        }
        Some(Accepted::AlreadyMember { .. }) => Ok(()),
        Some(Accepted::Invalid | Accepted::NeedsApproval { .. }) => Err(AppError::Invalid(Refusal::RequestLinkEnded)),
        Some(Accepted::UsedUp) => Err(AppError::InviteUsedUp),
        Some(Accepted::RoomFull { limit }) => Err(AppError::RoomFull(limit)),
        Some(Accepted::Banned) => Err(AppError::Forbidden(Refusal::RequesterBanned)),
    };
    ssr::changed(&state, room_id).await;
    result
}

/// Turns `user_id`'s request down: they are told, and cannot ask again
/// through the same link.
///
/// Errors: as [`join_requests`]; [`AppError::Invalid`] with
/// [`Refusal::RequestNotWaiting`] when no request waits.
#[server(endpoint = "decline_join_request")]
pub async fn decline_join_request(room_id: i64, user_id: i64) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    crate::rooms::moderation::ssr::require_moderator(&state, room_id, me.id, Action::AnswerJoinRequests).await?;
    if !state.store.join_requests().decline(room_id, user_id, me.id, crate::clock::now_ms()).await? {
        return Err(AppError::Invalid(Refusal::RequestNotWaiting));
    }
    tracing::info!(room_id, user_id, by = me.id, "join request declined");
    ssr::changed(&state, room_id).await;
    Ok(())
}

/// The requester takes back their request to join `room_id`. Works without
/// JavaScript: the form comes back to the page it was sent from.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Invalid`] with
/// [`Refusal::RequestNotWaiting`] when none waits.
#[server(endpoint = "withdraw_join_request")]
pub async fn withdraw_join_request(room_id: i64) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    if !state.store.join_requests().withdraw(room_id, me.id).await? {
        return Err(AppError::Invalid(Refusal::RequestNotWaiting));
    }
    tracing::info!(room_id, user_id = me.id, "join request withdrawn");
    ssr::changed(&state, room_id).await;
    Ok(())
}

/// Where the caller's request to join `room_id` stands: at once when it is
/// no longer [`RequestState::Pending`], otherwise as soon as a moderator
/// answers it (or it is withdrawn in another tab), or `Pending` after
/// [`crate::limits::LONG_POLL_WAIT_SECS`], when the page asks again
/// (a long poll: the waiting page needs no socket of its own). With several
/// nodes the answer reaches this one over the live bus.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "await_join_request")]
pub async fn await_join_request(room_id: i64) -> Result<RequestState, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    ssr::wait(&state, room_id, me.id).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::time::Duration;

    use super::{AppError, RequestState};
    use crate::{
        context::AppState,
        limits::LONG_POLL_WAIT_SECS,
        live::{
            hub::{HubEventKind, Watch},
            Topic,
        },
    };

    /// Tells the room's moderators (and the waiting requesters) that its
    /// requests changed, with how many wait now. A failed count is logged:
    /// the change itself is saved.
    pub(crate) async fn changed(state: &AppState, room_id: i64) {
        match state.store.join_requests().pending_count(room_id, crate::clock::now_ms()).await {
            Ok(pending) => state.hub.join_requests_changed(room_id, pending),
            Err(err) => tracing::error!(error = %err, room_id, "counting join requests failed"),
        }
    }

    /// Where `user_id`'s request to join `room_id` stands now. The request
    /// is read before the membership: an approval removes the one and adds
    /// the other in one transaction, so a request found gone with no
    /// membership either has truly ended (read the other way round, an
    /// approval committing between the two reads looked like an end).
    async fn now(state: &AppState, room_id: i64, user_id: i64) -> Result<RequestState, AppError> {
        if let Some(found) = state.store.join_requests().state_of(room_id, user_id, crate::clock::now_ms()).await? {
            return Ok(found);
        }
        Ok(match state.store.rooms().role_of(room_id, user_id).await? {
            Some(_) => RequestState::Approved,
            None => RequestState::Ended,
        })
    }

    /// [`super::await_join_request`]: watches the room's hub channel
    /// (from before the first read, so no answer falls between) and reads
    /// again whenever its requests change.
    pub(super) async fn wait(state: &AppState, room_id: i64, user_id: i64) -> Result<RequestState, AppError> {
        let mut watch = Watch::new(&state.hub, vec![Topic::Room(room_id)]);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(LONG_POLL_WAIT_SECS);
        loop {
            let found = now(state, room_id, user_id).await?;
            let changed = |kind: &HubEventKind| matches!(kind, HubEventKind::ForManagers);
            if found != RequestState::Pending || !watch.until(deadline, changed).await {
                return Ok(found);
            }
        }
    }
}
