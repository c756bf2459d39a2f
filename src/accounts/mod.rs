//! Accounts: sign-up, log-in, log-out and who the current user is.
//!
//! Passwords are hashed with Argon2id ([`ssr::hash_password`]). A logged-in
//! browser holds a server-side session (tower-sessions, stored in the
//! database) keyed by a random 128-bit id in an HttpOnly, SameSite=Lax cookie;
//! the session holds the user's id under [`ssr::USER_ID_KEY`] and their
//! username under [`ssr::USERNAME_KEY`], so knowing who asks reads no table
//! (a deleted account's sessions end with it: [`deletion`]).

pub mod deletion;
pub mod email;
#[cfg(feature = "ssr")]
pub mod export;
pub mod language;
pub mod profile;
pub mod recovery;
pub mod rules;
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;

use crate::error::AppError;

/// The name of the session cookie.
pub use crate::types::accounts::CurrentUser;

pub const SESSION_COOKIE: &str = "roomlink_session";

/// Where the logged-in person downloads their data as JSON
/// ([`export::export_handler`], server only).
pub const ACCOUNT_DATA_PATH: &str = "/account/export.json";

/// Creates an account, logs it in, makes its recovery codes and goes to
/// the page that shows them ([`recovery::RECOVERY_CODES_PAGE`]), which goes
/// on to `next` (a local path; `/` when absent or not local).
///
/// Errors: [`AppError::Invalid`] for a username or password that breaks
/// [`rules`], [`AppError::UsernameTaken`].
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use ssr::*;
    let username = rules::check_username(&username).map_err(AppError::Invalid)?;
    rules::check_password(&password).map_err(AppError::Invalid)?;
    let state = crate::context::state()?;
    let hash = hash_password(password).await?;
    let user = state
        .store
        .users()
        .create(&username, &hash, crate::clock::now_ms())
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => AppError::UsernameTaken,
            other => other.into(),
        })?;
    start_session(user.id, &user.username).await?;
    keep_chosen_language(&state, user.id).await?;
    recovery::ssr::make_set(&state, user.id).await?;
    let next = ssr::local_path_or_home(next.as_deref());
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    leptos_axum::redirect(&format!("{}?next={next}", recovery::RECOVERY_CODES_PAGE));
    Ok(())
}

/// Logs in and goes to `next` (a local path; `/` when absent or not local).
///
/// Each attempt is counted against the username first
/// ([`crate::limits::LOGIN_ATTEMPTS_PER_USERNAME`] in
/// [`crate::limits::LOGIN_WINDOW_SECS`], in the database), so a guesser
/// gets that many password checks per window however many requests they
/// send at once; a successful log-in clears the count. Client addresses are
/// limited too (`server::rate_limit`).
///
/// Errors: [`AppError::BadCredentials`], the same whether the user does not
/// exist or the password is wrong (and taking the same time);
/// [`AppError::TooManyRequests`] past the username's limit, the same for
/// existing and unknown usernames.
#[server(endpoint = "log_in")]
pub async fn log_in(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use ssr::*;
    use crate::limits::{LOGIN_ATTEMPTS_PER_USERNAME, LOGIN_WINDOW_SECS};
    let state = crate::context::state()?;
    let users = state.store.users();
    let window_ms = (LOGIN_WINDOW_SECS * 1000) as i64;
    let now = crate::clock::now_ms();
    if let Some(wait_ms) = users.count_login_attempt(&username, now, window_ms, LOGIN_ATTEMPTS_PER_USERNAME).await? {
        tracing::warn!(wait_ms, "log-in attempts past the username's limit");
        // At most the window: an attempt that read the clock just before
        // another opened the window would otherwise be told a second more.
        let wait_secs = ((wait_ms + 999) / 1000).clamp(1, LOGIN_WINDOW_SECS as i64);
        return Err(AppError::TooManyRequests(wait_secs as u64));
    }
    let user = users.find_by_username(username.trim()).await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    if !verify_password(password, stored_hash).await? {
        return Err(AppError::BadCredentials);
    }
    let Some(user) = user else {
        return Err(AppError::BadCredentials);
    };
    users.forget_login_attempts(&username).await?;
    start_session(user.id, &user.username).await?;
    restore_language(&state, user.id).await?;
    leptos_axum::redirect(&ssr::local_path_or_home(next.as_deref()));
    Ok(())
}

/// Ends the session and goes home.
#[server(endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    ssr::end_session().await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The logged-in user, or `None`.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    ssr::current_user().await
}
