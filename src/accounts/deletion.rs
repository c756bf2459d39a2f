//! Leaving Roomlink: "Delete my account" (issue 41; Brazil's LGPD, art. 18
//! VI, gives people the right to have their data deleted).
//!
//! As Discord does, the messages others saw stay, written by "deleted
//! user": the account keeps its row (so a message keeps an author) and
//! loses everything personal, one transaction
//! ([`crate::store::AccountDeletion::delete`]): its username becomes
//! [`crate::types::accounts::deleted_username`] (freeing the old one), its
//! password, language and roles go, and so do its memberships, join
//! requests, recovery codes, sessions and log-in count; its invite links are
//! revoked. A room owner hands each room over or deletes it first (the
//! profile names them). In a teacher space the other person is told by a
//! line ("deleted user deleted their account: this space is closed") and
//! can no longer write there; in other rooms a "left" line says it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A room that stands in the way of deleting the account: its owner must
/// hand it over or delete it first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedRoom {
    /// The room's id (its page is `/rooms/<id>`).
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// Where the browser goes once the account is deleted: the home page, which
/// says so.
pub const AFTER_DELETION: &str = "/?account_deleted";

/// The rooms the logged-in account owns, teacher spaces aside, by name:
/// what must be handed over or deleted before the account can be.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "rooms_owned")]
pub async fn rooms_owned() -> Result<Vec<OwnedRoom>, AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    let rooms = state.store.account_deletion().owned_rooms(me.id).await?;
    Ok(rooms.into_iter().map(|(id, name)| OwnedRoom { id, name }).collect())
}

/// Deletes the logged-in account, once `password` is checked: every session
/// of it ends (its live sockets close), its personal data goes (see the
/// module), and this browser goes to [`AFTER_DELETION`], logged out.
///
/// Guesses at the password count against the account's log-in attempts,
/// as for "Change password".
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Invalid`] with
/// [`crate::error::Refusal::WrongCurrentPassword`] or
/// [`crate::error::Refusal::OwnsRooms`] (naming them);
/// [`AppError::TooManyRequests`]. Nothing changes then.
#[server(endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    ssr::refuse_while_owning(&state, me.id).await?;
    super::sessions::ssr::check_password_of(&state, &me, password).await?;
    ssr::delete(&state, me.id).await?;
    let session = super::ssr::session().await?;
    if let Err(e) = session.flush().await {
        // Its record is gone already (every session of the account ended).
        tracing::warn!(error = %e, "clearing a deleted account's session");
    }
    leptos_axum::redirect(AFTER_DELETION);
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The deletion, and telling the rooms.

    use crate::{
        clock::now_ms,
        context::AppState,
        error::{AppError, Refusal},
        live::{timeline::NewLine, MessageKind, Topic},
    };

    /// Errors with [`Refusal::OwnsRooms`] while `user_id` owns rooms.
    pub async fn refuse_while_owning(state: &AppState, user_id: i64) -> Result<(), AppError> {
        let owned = state.store.account_deletion().owned_rooms(user_id).await?;
        match owned.is_empty() {
            true => Ok(()),
            false => Err(owns_rooms(owned)),
        }
    }

    fn owns_rooms(owned: Vec<(i64, String)>) -> AppError {
        let rooms = owned.into_iter().map(|(_, name)| name).collect::<Vec<_>>().join(", ");
        AppError::Invalid(Refusal::OwnsRooms { rooms })
    }

    /// Deletes account `user_id` (its password checked) in the store, then
    /// ends every session of it and puts the lines in its rooms' and
    /// spaces' timelines, telling their open tabs. Once the store has
    /// deleted it, what fails after is logged: the account is gone either way.
    ///
    /// Errors: [`Refusal::OwnsRooms`] (nothing changed); the store's.
    pub async fn delete(state: &AppState, user_id: i64) -> Result<(), AppError> {
        let now = now_ms();
        // Read before the transaction deletes their rows.
        let session_ids: Vec<String> =
            state.store.account_sessions().of_user(user_id).await?.into_iter().map(|row| row.session_id).collect();
        let deleted = match state.store.account_deletion().delete(user_id, now).await? {
            Err(owned) => return Err(owns_rooms(owned)),
            Ok(None) => return Err(AppError::NotLoggedIn),
            Ok(Some(deleted)) => deleted,
        };
        if let Err(err) = crate::accounts::sessions::ssr::end_sessions(state, session_ids).await {
            tracing::error!(error = %err, user_id, "ending a deleted account's sessions failed");
        }
        let lines = deleted
            .rooms_left
            .iter()
            .map(|&room_id| (room_id, MessageKind::Left))
            .chain(deleted.spaces_closed.iter().map(|&room_id| (room_id, MessageKind::AccountDeleted)));
        for (room_id, kind) in lines {
            let line = NewLine::RoomMembershipEnded { room_id, user_id, kind, actor_id: None };
            let client_id = format!("sys:{}:{room_id}:{now}", kind.as_str());
            if let Err(err) = state.timeline().post(line, &client_id).await {
                tracing::error!(error = %err, room_id, "storing a deleted account's line failed");
            }
            let topic = Topic::Room(room_id);
            state.hub.end_for(&topic, user_id, Refusal::LeftRoom);
            if kind == MessageKind::AccountDeleted {
                // The other person's tabs learn they can no longer write.
                match state.store.rooms().members(room_id).await {
                    Ok(members) => members.into_iter().for_each(|member| state.hub.member_updated(&topic, member)),
                    Err(err) => tracing::error!(error = %err, room_id, "telling a closed space's member failed"),
                }
            }
        }
        tracing::info!(user_id, rooms = deleted.rooms_left.len(), spaces = deleted.spaces_closed.len(), "account deleted");
        Ok(())
    }
}
