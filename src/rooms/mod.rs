//! Rooms: creating them, listing a user's rooms, loading a room page;
//! [`moderation`]: leaving, removing and banning; [`permissions`]: roles,
//! permissions (muting) and room settings; [`history`]: older lines of a
//! room or an instant chat, a page at a time.

pub mod activity;
pub mod history;
pub mod lifecycle;
pub mod moderation;
pub mod permissions;

#[cfg(feature = "ssr")]
use crate::accounts::ssr::require_user;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    accounts::CurrentUser,
    error::{AppError, Field, Refusal},
    limits::ROOM_NAME_MAX_CHARS,
    live::{ChatMessage, MemberView},
};
pub use crate::types::rooms::{BannedMember, Rights, Role, RoomInfo, RoomSummary, RoomsActivity};

/// Everything the room page needs when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomPage {
    /// The room.
    pub room: RoomInfo,
    /// Who is looking.
    pub me: CurrentUser,
    /// What they may do in the room.
    pub rights: Rights,
    /// The newest [`crate::limits::ROOM_HISTORY_PAGE`] messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The members, by name, with when each was last online.
    pub members: Vec<MemberView>,
    /// The teacher space this room is, if it is one (no invite links, no settings).
    pub space: Option<crate::spaces::SpaceSummary>,
    /// Join requests waiting, for an owner or moderator (0 for the others).
    pub join_requests: i64,
}

/// Checks a room name and returns it trimmed: 1-80 characters, nothing
/// invisible (see [`crate::names::visible`]).
pub fn check_room_name(raw: &str) -> Result<String, Refusal> {
    let name = crate::names::visible(raw, Field::RoomName)?;
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 {
        return Err(Refusal::RoomNameEmpty);
    }
    if len > ROOM_NAME_MAX_CHARS {
        return Err(Refusal::TooLong { field: Field::RoomName, max: ROOM_NAME_MAX_CHARS, len });
    }
    Ok(name.to_string())
}

/// Creates a room owned by the logged-in user and goes to it.
///
/// Errors: [`AppError::NotLoggedIn`], [`AppError::Invalid`] for a bad name.
#[server(endpoint = "create_room")]
pub async fn create_room(name: String) -> Result<(), AppError> {
    let me = require_user().await?;
    let name = check_room_name(&name).map_err(AppError::Invalid)?;
    let state = crate::context::state()?;
    let id = state.store.rooms().create(&name, me.id, crate::clock::now_ms()).await?;
    leptos_axum::redirect(&format!("/rooms/{id}"));
    Ok(())
}

/// The rooms the logged-in user belongs to, teacher spaces aside
/// ([`crate::spaces::my_spaces`] lists those); empty when logged out.
#[server(endpoint = "my_rooms")]
pub async fn my_rooms() -> Result<Vec<RoomSummary>, AppError> {
    let Some(me) = crate::accounts::ssr::current_user().await? else {
        return Ok(Vec::new());
    };
    let state = crate::context::state()?;
    Ok(state.store.rooms().summaries_for_user(me.id).await?)
}

/// The room page's data.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`] for a room the
/// user is not in; [`AppError::NotFound`] for a room that does not exist.
#[server(endpoint = "room_page")]
pub async fn get_room_page(room_id: i64) -> Result<RoomPage, AppError> {
    let me = require_user().await?;
    let state = crate::context::state()?;
    let store = &state.store;
    let room = store.rooms().info(room_id).await?.ok_or(AppError::NotFound)?;
    let rights = store.rooms().rights_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
    let mut messages = store.messages().recent(room_id, crate::limits::ROOM_HISTORY_PAGE).await?;
    if !rights.can_moderate {
        messages.iter_mut().for_each(ChatMessage::hide_moderation_details);
    }
    let members = store.rooms().members(room_id).await?;
    let space = store.spaces().of_room(room_id, me.id).await?;
    let join_requests = match rights.can_moderate {
        true => store.join_requests().pending_count(room_id, crate::clock::now_ms()).await?,
        false => 0,
    };
    Ok(RoomPage { room, me, rights, messages, members, space, join_requests })
}
