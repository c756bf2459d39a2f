//! Server-only account code: password hashing and the session.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use tower_sessions::Session;

use super::CurrentUser;
use crate::error::AppError;

/// Session key holding the logged-in user's id (`i64`).
pub const USER_ID_KEY: &str = "user_id";

/// An Argon2id hash of a random password nobody knows, made once and verified
/// against when the username is unknown, so that log-in takes the same time
/// either way.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let secret = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(secret.as_str().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes,
/// OWASP's recommendation) on a blocking thread. Returns a PHC string.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| internal("hash task", e))?
    .map_err(|e| internal("hash", e))
}

/// Checks `password` against `stored` (a PHC string). With `None` it checks
/// against a dummy hash and answers `false`, taking the same time.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_string());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(|e| internal("verify task", e))
}

/// The request's session.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| internal("session extract", e))
}

/// Logs `user_id` in: a fresh session id (against session fixation) holding it.
pub async fn start_session(user_id: i64) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(|e| internal("session cycle", e))?;
    session.insert(USER_ID_KEY, user_id).await.map_err(|e| internal("session insert", e))
}

/// Logs out: deletes the session row and the cookie.
pub async fn end_session() -> Result<(), AppError> {
    session().await?.flush().await.map_err(|e| internal("session flush", e))
}

/// The logged-in user's id in `session`, if any.
pub async fn user_id_in(session: &Session) -> Result<Option<i64>, AppError> {
    session.get::<i64>(USER_ID_KEY).await.map_err(|e| internal("session read", e))
}

/// The logged-in user, or `None`. A session naming a user that no longer
/// exists counts as logged out.
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let Some(id) = user_id_in(&session().await?).await? else {
        return Ok(None);
    };
    let state = crate::server::state()?;
    Ok(state
        .store
        .users()
        .get(id)
        .await?
        .map(|u| CurrentUser { id: u.id, username: u.username }))
}

/// The logged-in user. Errors: [`AppError::NotLoggedIn`].
pub async fn require_user() -> Result<CurrentUser, AppError> {
    current_user().await?.ok_or(AppError::NotLoggedIn)
}

fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{what} failed");
    AppError::Internal
}
