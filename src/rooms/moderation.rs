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

use super::Role;
use crate::error::AppError;

/// True when someone with role `actor` may remove or ban someone with role
/// `target` (never themselves: that is leaving).
pub fn may_moderate(actor: Role, target: Role) -> bool {
    matches!((actor, target), (Role::Owner, Role::Moderator | Role::Member) | (Role::Moderator, Role::Member))
}

/// Leaves the room and goes home.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::NotMember`];
/// [`AppError::Invalid`] for the owner, who cannot leave their own room.
#[server(endpoint = "leave_room")]
pub async fn leave_room(room_id: i64) -> Result<(), AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::server::state()?;
    let role = state.store.rooms().role_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
    if role == Role::Owner {
        return Err(AppError::Invalid("The owner cannot leave their own room.".into()));
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

#[cfg(feature = "ssr")]
mod ssr {
    use super::{may_moderate, Role};
    use crate::{
        error::AppError,
        live::{MessageKind, Topic},
        server::{now_ms, AppState},
        store::MembershipEnd,
    };

    pub(super) use crate::store::MembershipEnd as Ending;

    pub(super) async fn moderate(room_id: i64, user_id: i64, how: MembershipEnd) -> Result<(), AppError> {
        let me = crate::accounts::ssr::require_user().await?;
        let state = crate::server::state()?;
        let rooms = state.store.rooms();
        let my_role = rooms.role_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
        if user_id == me.id {
            return Err(AppError::Invalid("To leave the room yourself, use Leave room.".into()));
        }
        if my_role == Role::Member {
            return Err(AppError::Forbidden("Only the owner and moderators can remove or ban members.".into()));
        }
        let their_role = rooms
            .role_of(room_id, user_id)
            .await?
            .ok_or_else(|| AppError::Invalid("That person is not a member of this room (any more).".into()))?;
        if !may_moderate(my_role, their_role) {
            return Err(AppError::Forbidden(match their_role {
                Role::Owner => "Nobody can remove or ban the room's owner.".into(),
                _ => "Moderators cannot remove or ban other moderators; ask the owner.".into(),
            }));
        }
        end(&state, room_id, user_id, how, Some((me.id, &me.username))).await
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
            return Err(AppError::Invalid("That person is not a member of this room (any more).".into()));
        }
        let topic = Topic::Room(room_id);
        let (kind, name) = match how {
            MembershipEnd::Left => (MessageKind::Left, "left"),
            MembershipEnd::Removed => (MessageKind::Removed, "removed"),
            MembershipEnd::Banned => (MessageKind::Banned, "banned"),
        };
        let client_id = format!("sys:{name}:{room_id}:{now}");
        let messages = state.store.messages();
        let stored = state
            .hub
            .store_and_publish(&topic, || async {
                match actor {
                    Some((actor_id, _)) => messages.insert_action(room_id, user_id, kind, actor_id, &client_id, now).await,
                    None => messages.insert_line(room_id, user_id, kind, &client_id, "", now).await,
                }
            })
            .await;
        if let Err(err) = stored {
            // The membership has ended either way; only the line is missing.
            tracing::error!(error = %err, "storing a membership line failed");
        }
        let reason = match (how, actor) {
            (MembershipEnd::Removed, Some((_, by))) => format!("{by} removed you from this room."),
            (MembershipEnd::Banned, Some((_, by))) => format!("{by} banned you from this room."),
            _ => "You left this room.".to_string(),
        };
        state.hub.end_for(&topic, user_id, &reason);
        tracing::info!(room_id, user_id, how = name, "membership ended");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_moderate_whom() {
        assert!(may_moderate(Role::Owner, Role::Moderator));
        assert!(may_moderate(Role::Owner, Role::Member));
        assert!(may_moderate(Role::Moderator, Role::Member));
        assert!(!may_moderate(Role::Moderator, Role::Moderator));
        assert!(!may_moderate(Role::Moderator, Role::Owner));
        assert!(!may_moderate(Role::Member, Role::Member));
        assert!(!may_moderate(Role::Owner, Role::Owner));
    }
}
