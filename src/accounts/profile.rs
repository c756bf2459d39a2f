//! A user's profile: their roles. Anyone can mark themselves a teacher (and
//! then make language invites, see [`crate::spaces`]); accepting a language
//! invite makes someone a student. One person can be both.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The logged-in user's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Username.
    pub username: String,
    /// Marked themselves a teacher: may make language invites.
    pub is_teacher: bool,
    /// Has accepted a language invite at least once.
    pub is_student: bool,
}

impl Profile {
    /// The roles in words, e.g. "teacher and student"; "" for none.
    pub fn roles(&self) -> &'static str {
        match (self.is_teacher, self.is_student) {
            (true, true) => "teacher and student",
            (true, false) => "teacher",
            (false, true) => "student",
            (false, false) => "",
        }
    }
}

/// The logged-in user's profile.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "profile")]
pub async fn get_profile() -> Result<Profile, AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    let (is_teacher, is_student) = state.store.users().roles(me.id).await?.ok_or(AppError::NotLoggedIn)?;
    Ok(Profile { username: me.username, is_teacher, is_student })
}

/// Saves the profile form. `teacher` is a checkbox: present means "I am a
/// teacher". Language invites and spaces made before stay as they are.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "save_profile")]
pub async fn save_profile(teacher: Option<String>) -> Result<(), AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    state.store.users().set_teacher(me.id, teacher.is_some()).await?;
    tracing::info!(user_id = me.id, teacher = teacher.is_some(), "profile saved");
    Ok(())
}
