//! Roles, permissions and room settings.
//!
//! The owner makes members moderators (or back), and may give or take each
//! of a member's three permissions (can_write, can_invite, can_moderate);
//! left alone they follow the role, as Discord's per-member overrides do.
//! Owners and moderators mute and unmute the members they may moderate
//! (see [`super::moderation::may_moderate`]). Every change reaches open tabs
//! at once ([`crate::live::ServerEvent::MemberUpdated`]); a muted member's
//! messages are refused by the server from the moment the change is saved.

use leptos::prelude::*;

use super::Role;
use crate::error::{AppError, Field, Refusal};
#[cfg(feature = "ssr")]
use crate::error::Action;

/// Checks a room description and returns it trimmed: at most
/// [`crate::limits::ROOM_DESCRIPTION_MAX_CHARS`] characters, may be empty.
pub fn check_description(raw: &str) -> Result<String, Refusal> {
    let max = crate::limits::ROOM_DESCRIPTION_MAX_CHARS;
    let text = raw.trim();
    let len = text.chars().count();
    if len > max {
        return Err(Refusal::TooLong { field: Field::Description, max, len });
    }
    Ok(text.to_string())
}

/// Checks a member limit: 2-1000, and not below the members the room has now.
pub fn check_member_limit(limit: i64, members_now: i64) -> Result<i64, Refusal> {
    let range = crate::limits::ROOM_MEMBER_LIMIT_RANGE;
    let (low, high) = (i64::from(*range.start()), i64::from(*range.end()));
    if !(low..=high).contains(&limit) {
        return Err(Refusal::MemberLimitRange { low, high });
    }
    if limit < members_now {
        return Err(Refusal::MemberLimitBelowMembers { members: members_now });
    }
    Ok(limit)
}

/// Mutes (`muted = true`: can_write off) or unmutes a member.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] when the caller may not moderate that person;
/// [`AppError::Invalid`] for oneself or a non-member.
#[server(endpoint = "mute_member")]
pub async fn mute_member(room_id: i64, user_id: i64, muted: bool) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    if user_id == me.id {
        return Err(AppError::Invalid(Refusal::CannotMuteYourself));
    }
    let state = crate::context::state()?;
    super::moderation::ssr::may_act_on(&state, room_id, me.id, user_id, Action::Mute).await?;
    state.store.rooms().set_can_write(room_id, user_id, !muted).await?;
    ssr::tell(&state, room_id, user_id).await
}

/// Sets a member's role (`moderator` or `member`) and permissions; `None`
/// for can_invite / can_moderate means "as the role says". Owner only.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for anyone but the owner; [`AppError::Invalid`]
/// for the owner's own row, `owner` as a role, or a non-member.
#[server(endpoint = "set_member_rights")]
pub async fn set_member_rights(
    room_id: i64,
    user_id: i64,
    role: Role,
    can_write: bool,
    can_invite: Option<bool>,
    can_moderate: Option<bool>,
) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    ssr::require_owner(&state, room_id, me.id, Action::ChangeRights).await?;
    if role == Role::Owner || user_id == me.id {
        return Err(AppError::Invalid(Refusal::OwnerRightsFixed));
    }
    if !state.store.rooms().set_rights(room_id, user_id, role, can_write, can_invite, can_moderate).await? {
        return Err(AppError::Invalid(Refusal::NotAMemberAnyMore));
    }
    tracing::info!(room_id, user_id, role = role.label(), "member rights changed");
    ssr::tell(&state, room_id, user_id).await
}

/// Changes the room's description (at most 300 characters), member limit
/// (2-1000, not below the members it has) and whether plain members may
/// make invite links. Owner only; a teacher space has no settings.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for non-owners and in teacher spaces;
/// [`AppError::Invalid`] naming the bad value.
#[server(endpoint = "update_room_settings")]
pub async fn update_room_settings(
    room_id: i64,
    description: String,
    member_limit: i64,
    // A checkbox: left out of a plain form's post when not ticked.
    #[server(default)]
    members_can_invite: bool,
) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    ssr::require_owner(&state, room_id, me.id, Action::ChangeSettings).await?;
    crate::spaces::api::ssr::refuse_in_space(&state, room_id, Action::ChangeSettings).await?;
    let description = check_description(&description).map_err(AppError::Invalid)?;
    let room = state.store.rooms().info(room_id).await?.ok_or(AppError::NotFound)?;
    let member_limit = check_member_limit(member_limit, room.member_count).map_err(AppError::Invalid)?;
    state.store.rooms().update_settings(room_id, &description, member_limit, members_can_invite).await?;
    Ok(())
}

/// Renames the room (owner only; a teacher space has no name of its own).
/// A line in the timeline says so, and every open tab shows the new name at
/// once (it follows that line). Renaming to the same name changes nothing.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for non-owners and in teacher spaces;
/// [`AppError::Invalid`] for an empty, too long or otherwise bad name
/// ([`super::check_room_name`]).
#[server(endpoint = "rename_room")]
pub async fn rename_room(room_id: i64, name: String) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    ssr::require_owner(&state, room_id, me.id, Action::ChangeSettings).await?;
    crate::spaces::api::ssr::refuse_in_space(&state, room_id, Action::ChangeSettings).await?;
    let name = super::check_room_name(&name).map_err(AppError::Invalid)?;
    let room = state.store.rooms().info(room_id).await?.ok_or(AppError::NotFound)?;
    if room.name == name {
        return Ok(());
    }
    state.store.rooms().rename(room_id, &name).await?;
    let now = crate::clock::now_ms();
    let line = crate::live::timeline::NewLine::RoomRenamed { room_id, owner_id: me.id, name: &name };
    if let Err(err) = state.timeline().post(line, &format!("sys:renamed:{room_id}:{now}")).await {
        // The room has its new name either way; only the line is missing.
        tracing::error!(error = %err, "storing a rename line failed");
    }
    tracing::info!(room_id, "room renamed");
    Ok(())
}

#[cfg(feature = "ssr")]
pub(super) mod ssr {
    use crate::{
        context::AppState,
        error::{Action, AppError, Refusal},
        live::Topic,
        rooms::Role,
    };

    /// Errors unless `user_id` owns the room; `action` names what was tried.
    pub async fn require_owner(state: &AppState, room_id: i64, user_id: i64, action: Action) -> Result<(), AppError> {
        match state.store.rooms().role_of(room_id, user_id).await? {
            Some(Role::Owner) => Ok(()),
            Some(_) => Err(AppError::Forbidden(Refusal::OnlyOwnerCan { action })),
            None => Err(AppError::NotMember),
        }
    }

    /// Tells the room's open tabs about the member's new rights.
    pub async fn tell(state: &AppState, room_id: i64, user_id: i64) -> Result<(), AppError> {
        let members = state.store.rooms().members(room_id).await?;
        if let Some(member) = members.into_iter().find(|m| m.id == user_id) {
            state.hub.member_updated(&Topic::Room(room_id), member);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert_eq!(check_description("  A club  ").as_deref(), Ok("A club"));
        assert!(check_description(&"x".repeat(301)).unwrap_err().to_string().contains("301"));
        assert_eq!(check_member_limit(2, 1), Ok(2));
        assert_eq!(check_member_limit(1000, 3), Ok(1000));
        assert!(check_member_limit(1, 1).is_err());
        assert!(check_member_limit(1001, 1).is_err());
        assert!(check_member_limit(4, 5).unwrap_err().to_string().contains("5 members"));
    }
}
