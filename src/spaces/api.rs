//! Server functions for teacher spaces: making, listing and revoking
//! language invites, and the lists of spaces. Accepting a language invite
//! goes through [`crate::invites::accept_invite`] like any invite link;
//! [`ssr::accept`] does the space part.

use leptos::prelude::*;

use super::{LanguageInviteLink, SpaceSummary, Teaching};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::Refusal;

/// Makes a single-use language invite. `language`: 1-40 characters after
/// trimming; `lifetime_days`: a whole number of days in
/// [`crate::limits::LANGUAGE_INVITE_DAYS`], empty or absent for never.
///
/// Errors, in this order: [`AppError::NotLoggedIn`]; [`AppError::Forbidden`]
/// ([`super::ONLY_TEACHERS`]) for someone not marked as a teacher;
/// [`AppError::Invalid`] for an empty or too long language or a bad
/// lifetime; [`AppError::TooManyRequests`] past the per-user rate for
/// making invites ([`crate::limits::INVITE_CREATES_BURST`], shared with room invite links).
#[server(endpoint = "create_language_invite")]
pub async fn create_language_invite(
    language: String,
    lifetime_days: Option<String>,
) -> Result<LanguageInviteLink, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    let (is_teacher, _) = state.store.users().roles(me.id).await?.unwrap_or_default();
    if !is_teacher {
        return Err(AppError::Forbidden(Refusal::OnlyTeachers));
    }
    let language = super::check_language(&language).map_err(AppError::Invalid)?;
    let lifetime_ms = super::check_lifetime_days(lifetime_days.as_deref()).map_err(AppError::Invalid)?;
    if let Err(wait) = state.rate_limits.create_invite(me.id) {
        return Err(AppError::TooManyRequests(wait));
    }
    let (token, token_hash) = crate::invite_token::generate();
    let now = crate::clock::now_ms();
    let expires_at_ms = lifetime_ms.map(|ms| now + ms);
    let id = state.store.spaces().create_invite(me.id, &token_hash, &language, now, expires_at_ms).await?;
    tracing::info!(invite_id = id, user_id = me.id, "language invite made");
    let origin = crate::context::public_origin(&state.settings);
    Ok(LanguageInviteLink {
        id,
        url: format!("{origin}/join/{token}"),
        qr_path: format!("/join/{token}/qr.svg"),
        language,
        expires_at_ms,
    })
}

/// Revokes an unused language invite at once. Revoking one that is revoked
/// already changes nothing and is not an error.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Forbidden`] for an invite
/// someone else made (or that does not exist); [`AppError::Invalid`] for one a
/// student has used (their space stays).
#[server(endpoint = "revoke_language_invite")]
pub async fn revoke_language_invite(invite_id: i64) -> Result<(), AppError> {
    use crate::store::LanguageRevoke;
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    match state.store.spaces().revoke(invite_id, me.id, crate::clock::now_ms()).await? {
        LanguageRevoke::Revoked | LanguageRevoke::AlreadyRevoked => Ok(()),
        LanguageRevoke::NotYours => {
            Err(AppError::Forbidden(Refusal::OnlyTeacherRevokes))
        }
        LanguageRevoke::Used => Err(AppError::Invalid(Refusal::LanguageInviteUsed)),
    }
}

/// The teacher's section of the dashboard: whether the viewer is a teacher,
/// their language invites (pending first, then newest) and the spaces they teach in.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "teaching")]
pub async fn get_teaching() -> Result<Teaching, AppError> {
    let me = crate::accounts::ssr::require_user().await?;
    ssr::teaching(&crate::context::state()?, me.id).await
}

/// The spaces the logged-in user is in, as teacher or student, by language
/// and then the other person's name; empty when logged out.
#[server(endpoint = "my_spaces")]
pub async fn my_spaces() -> Result<Vec<SpaceSummary>, AppError> {
    let Some(me) = crate::accounts::ssr::current_user().await? else {
        return Ok(Vec::new());
    };
    let state = crate::context::state()?;
    Ok(state.store.spaces().for_user(me.id).await?)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::{
        accounts::CurrentUser,
        error::{Action, AppError, Refusal},
        context::AppState,
        spaces::{SpacePreview, Teaching},
        store::SpaceAccepted,
    };

    /// `user_id`'s teaching: whether they are a teacher, their language
    /// invites (pending first, then newest) and the spaces they teach in.
    pub async fn teaching(state: &AppState, user_id: i64) -> Result<Teaching, AppError> {
        let spaces = state.store.spaces();
        let (is_teacher, _) = state.store.users().roles(user_id).await?.unwrap_or_default();
        let invites = spaces.invites_by(user_id, crate::clock::now_ms()).await?;
        let taught = spaces.for_user(user_id).await?.into_iter().filter(|s| s.i_teach).collect();
        Ok(Teaching { is_teacher, invites, spaces: taught })
    }

    /// Errors with [`AppError::Forbidden`] when `room_id` is a teacher space,
    /// which is private to its two people: no invite links, no settings.
    /// `action` names the refused action.
    pub async fn refuse_in_space(state: &AppState, room_id: i64, action: Action) -> Result<(), AppError> {
        if state.store.spaces().is_space(room_id).await? {
            return Err(AppError::Forbidden(Refusal::NotInSpace { action }));
        }
        Ok(())
    }

    /// The join page's preview of the language invite with this token hash,
    /// or `None` when there is no usable one. Reads only.
    pub async fn preview(
        state: &AppState,
        token_hash: &str,
        viewer: Option<CurrentUser>,
    ) -> Result<Option<SpacePreview>, AppError> {
        let spaces = state.store.spaces();
        let Some(invite) = spaces.find_usable(token_hash, crate::clock::now_ms()).await? else {
            return Ok(None);
        };
        let (own, existing_space) = match &viewer {
            Some(v) if v.id == invite.teacher_id => (true, None),
            Some(v) => (false, spaces.active_space(invite.teacher_id, v.id, &invite.language).await?),
            None => (false, None),
        };
        Ok(Some(SpacePreview {
            teacher: invite.teacher,
            language: invite.language,
            expires_at_ms: invite.expires_at,
            viewer,
            own,
            existing_space,
        }))
    }

    /// Accepts the language invite with this token hash for `user_id`; the
    /// space's room id. Puts "<student> joined" in the space's timeline.
    ///
    /// Errors: [`AppError::InviteInvalid`] for unknown, used, expired or
    /// revoked invites alike; [`AppError::Forbidden`] for the teacher's own
    /// invite and for a student banned from that space;
    /// [`AppError::Conflict`] for a student who has this space already.
    pub async fn accept(state: &AppState, token_hash: &str, user_id: i64) -> Result<i64, AppError> {
        match state.store.spaces().accept(token_hash, user_id, crate::clock::now_ms()).await? {
            SpaceAccepted::Created { room_id } | SpaceAccepted::Rejoined { room_id } => {
                tracing::info!(room_id, user_id, "joined a teacher space");
                crate::live::timeline::announce_join(state.timeline(), room_id, user_id, None).await;
                Ok(room_id)
            }
            SpaceAccepted::Invalid => Err(AppError::InviteInvalid),
            SpaceAccepted::OwnInvite => Err(AppError::Forbidden(Refusal::OwnInvite)),
            SpaceAccepted::AlreadyHasSpace { language, teacher, .. } => {
                Err(AppError::Conflict(Refusal::AlreadyHasSpace { language, teacher }))
            }
            SpaceAccepted::Banned => Err(AppError::Forbidden(Refusal::RemovedFromSpace)),
        }
    }
}
