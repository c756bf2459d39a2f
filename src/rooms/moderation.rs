//! Leaving a room, and removing or banning members (owners and moderators).
//!
//! Each takes effect at once: the membership ends, a line ("bruno left",
//! "bruno was removed by ana", "bruno was banned by ana") goes into the
//! timeline, and the person's open tabs are told why and stop following the
//! room ([`crate::live::hub::Hub::end_for`]). Someone who left or was removed
//! can come back through any valid invite (the same membership, reactivated);
//! someone banned cannot (see [`crate::store::Invites::accept`]).
//!
//! Who may act follows Discord and Telegram: the owner can remove or ban
//! anyone else; a moderator can remove or ban plain members; nobody can act
//! on the owner, and the owner cannot leave their own room.

use leptos::prelude::*;

use super::{BannedMember, Rights, Role};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::Refusal;

/// True when someone with `actor`'s rights may remove, ban or mute someone
/// with role `target` (never themselves: that is leaving). Moderating needs
/// `can_moderate`; only the owner acts on moderators; nobody on the owner.
pub fn may_moderate(actor: Rights, target: Role) -> bool {
    actor.can_moderate
        && match target {
            Role::Owner => false,
            Role::Moderator => actor.role == Role::Owner,
            Role::Member => true,
        }
}

/// Leaves the room and goes home.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Invalid`] for the owner, who cannot leave their own room.
#[server(endpoint = "leave_room")]
pub async fn leave_room(room_id: i64) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    let role = state.store.rooms().role_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
    if role == Role::Owner {
        return Err(AppError::Invalid(Refusal::OwnerCannotLeave));
    }
    ssr::end(&state, room_id, me.id, ssr::Ending::Left, None).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Removes a member from the room; they can come back through an invite.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`] when the caller
/// is not in the room; [`AppError::Forbidden`] when their role does not allow
/// it; [`AppError::Invalid`] when `user_id` is the caller or not a member.
#[server(endpoint = "remove_member")]
pub async fn remove_member(room_id: i64, user_id: i64) -> Result<(), AppError> {
    ssr::moderate(room_id, user_id, ssr::Ending::Removed).await
}

/// Bans a member from the room: they are removed and no invite lets them
/// back in.
///
/// Errors: as [`remove_member`].
#[server(endpoint = "ban_member")]
pub async fn ban_member(room_id: i64, user_id: i64) -> Result<(), AppError> {
    ssr::moderate(room_id, user_id, ssr::Ending::Banned).await
}

/// Who is banned from the room, most recently banned first, for its owner
/// and moderators (Discord's ban list).
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Forbidden`] for those who do not moderate the room.
#[server(endpoint = "banned_members")]
pub async fn banned_members(room_id: i64) -> Result<Vec<BannedMember>, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    ssr::require_moderator(&state, room_id, me.id, crate::error::Action::RemoveOrBan).await?;
    Ok(state.store.rooms().banned(room_id).await?)
}

/// Lifts a ban: the person can come back through any valid invite link, as
/// after a removal. Any owner or moderator may lift any ban, as in Discord.
///
/// Errors: as [`banned_members`]; [`AppError::Invalid`] with
/// [`Refusal::NotBanned`](crate::error::Refusal::NotBanned) when they are not banned.
#[server(endpoint = "lift_ban")]
pub async fn lift_ban(room_id: i64, user_id: i64) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    ssr::require_moderator(&state, room_id, me.id, crate::error::Action::RemoveOrBan).await?;
    if !state.store.rooms().lift_ban(room_id, user_id, me.id, crate::clock::now_ms()).await? {
        return Err(AppError::Invalid(Refusal::NotBanned));
    }
    tracing::info!(room_id, user_id, "ban lifted");
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::{may_moderate, Role};
    use crate::rooms::Rights;
    use crate::{
        clock::now_ms,
        context::AppState,
        error::{Action, AppError, Refusal},
        live::{timeline::NewLine, MessageKind, Topic},
        store::MembershipEnd,
    };

    pub(super) use crate::store::MembershipEnd as Ending;

    pub(super) async fn moderate(room_id: i64, user_id: i64, how: MembershipEnd) -> Result<(), AppError> {
        let me = crate::accounts::ssr::require_user().await?;
        let state = crate::context::state()?;
        if user_id == me.id {
            return Err(AppError::Invalid(Refusal::UseLeaveRoom));
        }
        may_act_on(&state, room_id, me.id, user_id, Action::RemoveOrBan).await?;
        end(&state, room_id, user_id, how, Some((me.id, &me.username))).await
    }

    /// Errors unless `user_id` moderates the room: [`AppError::NotMember`],
    /// or [`AppError::Forbidden`] for a member who does not moderate
    /// ("Only owners and moderators can <action>.").
    pub(crate) async fn require_moderator(state: &AppState, room_id: i64, user_id: i64, action: Action) -> Result<(), AppError> {
        let rights = state.store.rooms().rights_of(room_id, user_id).await?.ok_or(AppError::NotMember)?;
        if !rights.can_moderate {
            return Err(AppError::Forbidden(Refusal::OnlyModeratorsCan { action }));
        }
        Ok(())
    }

    /// Checks that `actor_id` may moderate `user_id` in the room (`action`:
    /// what was tried, for the refusals). Returns both one's rights.
    pub(crate) async fn may_act_on(
        state: &AppState,
        room_id: i64,
        actor_id: i64,
        user_id: i64,
        action: Action,
    ) -> Result<(Rights, Rights), AppError> {
        let rooms = state.store.rooms();
        let mine = rooms.rights_of(room_id, actor_id).await?.ok_or(AppError::NotMember)?;
        if !mine.can_moderate {
            return Err(AppError::Forbidden(Refusal::OnlyModeratorsCan { action }));
        }
        let theirs = rooms.rights_of(room_id, user_id).await?.ok_or(AppError::Invalid(Refusal::NotAMemberAnyMore))?;
        if !may_moderate(mine, theirs.role) {
            return Err(AppError::Forbidden(match theirs.role {
                Role::Owner => Refusal::NobodyCanOwner { action },
                _ => Refusal::OnlyOwnerCanModerators { action },
            }));
        }
        Ok((mine, theirs))
    }

    /// Ends the membership, puts the line in the timeline and tells the
    /// person's open tabs. `actor`: who did it (id, name), `None` for leaving.
    pub(super) async fn end(
        state: &AppState,
        room_id: i64,
        user_id: i64,
        how: MembershipEnd,
        actor: Option<(i64, &str)>,
    ) -> Result<(), AppError> {
        let now = now_ms();
        if !state.store.rooms().end_membership(room_id, user_id, how, actor.map(|a| a.0), now).await? {
            return Err(AppError::Invalid(Refusal::NotAMemberAnyMore));
        }
        let topic = Topic::Room(room_id);
        let (kind, name) = match how {
            MembershipEnd::Left => (MessageKind::Left, "left"),
            MembershipEnd::Removed => (MessageKind::Removed, "removed"),
            MembershipEnd::Banned => (MessageKind::Banned, "banned"),
        };
        let client_id = format!("sys:{name}:{room_id}:{now}");
        let line = NewLine::RoomMembershipEnded { room_id, user_id, kind, actor_id: actor.map(|a| a.0) };
        if let Err(err) = state.timeline().post(line, &client_id).await {
            // The membership has ended either way; only the line is missing.
            tracing::error!(error = %err, "storing a membership line failed");
        }
        let reason = match (how, actor) {
            (MembershipEnd::Removed, Some((_, by))) => Refusal::RemovedBy { by: by.to_string() },
            (MembershipEnd::Banned, Some((_, by))) => Refusal::BannedBy { by: by.to_string() },
            _ => Refusal::LeftRoom,
        };
        state.hub.end_for(&topic, user_id, reason);
        tracing::info!(room_id, user_id, how = name, "membership ended");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rights(role: Role, can_moderate: bool) -> Rights {
        Rights { role, can_write: true, can_invite: true, can_moderate }
    }

    #[test]
    fn who_may_moderate_whom() {
        let owner = rights(Role::Owner, true);
        let moderator = rights(Role::Moderator, true);
        assert!(may_moderate(owner, Role::Moderator));
        assert!(may_moderate(owner, Role::Member));
        assert!(may_moderate(moderator, Role::Member));
        assert!(!may_moderate(moderator, Role::Moderator));
        assert!(!may_moderate(moderator, Role::Owner));
        assert!(!may_moderate(rights(Role::Member, false), Role::Member));
        assert!(may_moderate(rights(Role::Member, true), Role::Member), "a member the owner let moderate");
        assert!(!may_moderate(rights(Role::Moderator, false), Role::Member), "a moderator the owner stopped");
        assert!(!may_moderate(owner, Role::Owner));
    }
}
