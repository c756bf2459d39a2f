//! The owner hands a room over or deletes it (issue 40).
//!
//! Handing over follows Discord's "Transfer Ownership" and Telegram's
//! "Transfer group ownership": the new owner is an active member, the old
//! owner becomes a moderator (and may then leave), and every open tab sees
//! both members' new roles at once. Deleting asks for the room's name
//! typed again (as GitHub does before deleting a repository), removes its
//! messages, files, invite links and memberships, and tells every open tab.
//! A teacher space is neither handed over nor deleted: it belongs to its
//! two people.

use leptos::prelude::*;

use crate::error::AppError;

/// Makes member `user_id` the room's owner; the caller, its owner until
/// now, becomes a moderator.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for non-owners and in teacher spaces;
/// [`AppError::Invalid`] with
/// [`Refusal::NotAMemberAnyMore`](crate::error::Refusal::NotAMemberAnyMore)
/// when `user_id` is not an active member (or is the caller).
#[server(endpoint = "hand_over_room")]
pub async fn hand_over_room(room_id: i64, user_id: i64) -> Result<(), AppError> {
    use crate::error::{Action, Refusal};
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    super::permissions::ssr::require_owner(&state, room_id, me.id, Action::ChangeSettings).await?;
    crate::spaces::api::ssr::refuse_in_space(&state, room_id, Action::ChangeSettings).await?;
    if state.store.rooms().hand_over(room_id, me.id, user_id).await?.is_err() {
        return Err(AppError::Invalid(Refusal::NotAMemberAnyMore));
    }
    for member in [user_id, me.id] {
        super::permissions::ssr::tell(&state, room_id, member).await?;
    }
    tracing::info!(room_id, user_id, "room handed over");
    Ok(())
}

/// Deletes the room, for good, once its owner typed its `name` again
/// (compared as the room name rules trim it); goes home after. Every open
/// tab is told who deleted it; its files leave the disk.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for non-owners and in teacher spaces;
/// [`AppError::Invalid`] with
/// [`Refusal::TypeRoomName`](crate::error::Refusal::TypeRoomName) when the
/// typed name is not the room's.
#[server(endpoint = "delete_room")]
pub async fn delete_room(room_id: i64, name: String) -> Result<(), AppError> {
    use crate::{
        error::{Action, Refusal},
        live::Topic,
    };
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    super::permissions::ssr::require_owner(&state, room_id, me.id, Action::ChangeSettings).await?;
    crate::spaces::api::ssr::refuse_in_space(&state, room_id, Action::ChangeSettings).await?;
    let room = state.store.rooms().info(room_id).await?.ok_or(AppError::NotFound)?;
    if name.trim() != room.name {
        return Err(AppError::Invalid(Refusal::TypeRoomName));
    }
    let files = state.store.rooms().delete(room_id).await?.ok_or(AppError::NotFound)?;
    state.hub.end(&Topic::Room(room_id), Refusal::RoomDeletedBy { by: me.username.clone() });
    let uploads = crate::context::settings::uploads_dir(&state.settings.data_dir);
    for key in files {
        if let Err(err) = tokio::fs::remove_file(uploads.join(&key)).await {
            // The row is gone, so the start-up sweep removes it later.
            tracing::warn!(error = %err, file = %key, "removing a deleted room's file failed");
        }
    }
    tracing::info!(room_id, "room deleted");
    leptos_axum::redirect("/");
    Ok(())
}
