//! Recovery without email (issue 41): ten one-time recovery codes per
//! account, shown at sign-up and whenever the person makes a new set, kept
//! in the database only as hashes ([`crate::store::RecoveryCodes`]).
//! "Forgot password?" takes a username, one code and a new password.
//!
//! Codes are [`crate::limits::RECOVERY_CODE_CHARS`] characters of
//! Crockford's base32 (<https://www.crockford.com/base32.html>: no i, l, o
//! or u, so nothing reads as another character), 80 random bits each from
//! the OS; read back case-insensitively, with spaces and dashes ignored and
//! i, l and o taken as 1, 1 and 0, as Crockford's decoding says. The hash
//! kept is the hex SHA-256 of the normalised code: at 80 bits a code cannot
//! be found from its hash, and guessing online meets the log-in limits.
//!
//! A new set is held in the session (and only there) until the person says
//! they saved it, for at most [`crate::limits::RECOVERY_CODES_SHOWN_FOR_MS`],
//! so that a reload or the text file ([`RECOVERY_CODES_FILE_PATH`]) still
//! shows it; `/recovery-codes` shows it, and GETs change nothing.

use leptos::prelude::*;

use crate::error::AppError;

/// Where the set of recovery codes being shown downloads as a text file
/// ([`ssr::codes_file_handler`], server only).
pub const RECOVERY_CODES_FILE_PATH: &str = "/account/recovery-codes.txt";

/// The page that shows a new set of codes (`?next=` where "I saved them"
/// goes on to).
pub const RECOVERY_CODES_PAGE: &str = "/recovery-codes";

/// The new set of recovery codes this browser is to save, if one is being
/// shown (made at sign-up or on the profile less than
/// [`crate::limits::RECOVERY_CODES_SHOWN_FOR_MS`] ago and not yet saved).
/// Each is written in groups of four (`7k2m-q9xa-c4d0-wz31`).
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "recovery_codes_to_show")]
pub async fn recovery_codes_to_show() -> Result<Option<Vec<String>>, AppError> {
    super::ssr::require_user().await?;
    ssr::held_codes(&super::ssr::session().await?).await
}

/// "I saved them": the set being shown is forgotten (only its hashes are
/// left) and the browser goes on to `next` (a local path; `/` otherwise).
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "recovery_codes_saved")]
pub async fn recovery_codes_saved(next: Option<String>) -> Result<(), AppError> {
    super::ssr::require_user().await?;
    let session = super::ssr::session().await?;
    session.remove::<ssr::HeldCodes>(ssr::HELD_CODES_KEY).await.map_err(|e| ssr::internal("session remove", e))?;
    leptos_axum::redirect(&super::ssr::local_path_or_home(next.as_deref()));
    Ok(())
}

/// How many unused recovery codes the logged-in account has left.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "recovery_codes_left")]
pub async fn recovery_codes_left() -> Result<u32, AppError> {
    let me = super::ssr::require_user().await?;
    Ok(crate::context::state()?.store.recovery_codes().left(me.id).await?)
}

/// "Make new codes" on the profile, with the account's password: a new set
/// replaces the old one (whose codes stop working) and is shown on
/// [`RECOVERY_CODES_PAGE`], which the browser goes to.
///
/// Guesses at the password count against the account's log-in attempts, as
/// for "Change password".
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Invalid`] with
/// [`crate::error::Refusal::WrongCurrentPassword`]; [`AppError::TooManyRequests`].
#[server(endpoint = "new_recovery_codes")]
pub async fn new_recovery_codes(password: String) -> Result<(), AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    super::sessions::ssr::check_password_of(&state, &me, password).await?;
    ssr::make_set(&state, me.id).await?;
    leptos_axum::redirect(&format!("{RECOVERY_CODES_PAGE}?next=/profile"));
    Ok(())
}

/// "Forgot password?": sets `new_password` (checked as at sign-up) on
/// `username`'s account if `code` is one of its unused recovery codes,
/// which is then used up. Every session of the account ends (their live
/// sockets close), and this browser is logged in, going to the profile.
///
/// The answer, and the work done, is the same for an unknown username and
/// a wrong code; attempts count against the username as log-ins do
/// ([`crate::limits::LOGIN_ATTEMPTS_PER_USERNAME`]), and the address is
/// limited as for log-ins (`server::rate_limit`).
///
/// Errors: [`AppError::Invalid`] with the password rules' refusal (checked
/// first, so a code is never spent on a password that cannot be set) or
/// [`crate::error::Refusal::RecoveryFailed`]; [`AppError::TooManyRequests`].
#[server(endpoint = "recover_account")]
pub async fn recover_account(username: String, code: String, new_password: String) -> Result<(), AppError> {
    use crate::limits::{LOGIN_ATTEMPTS_PER_USERNAME, LOGIN_WINDOW_SECS};
    super::rules::check_password(&new_password).map_err(AppError::Invalid)?;
    let state = crate::context::state()?;
    let users = state.store.users();
    let username = username.trim();
    let now = crate::clock::now_ms();
    let window_ms = (LOGIN_WINDOW_SECS * 1000) as i64;
    if let Some(wait_ms) = users.count_login_attempt(username, now, window_ms, LOGIN_ATTEMPTS_PER_USERNAME).await? {
        tracing::warn!(wait_ms, "recovery attempts past the username's limit");
        let wait_secs = ((wait_ms + 999) / 1000).clamp(1, LOGIN_WINDOW_SECS as i64);
        return Err(AppError::TooManyRequests(wait_secs as u64));
    }
    let user = users.find_by_username(username).await?;
    // The same statement for an unknown user (no row has id 0) and for a
    // malformed code (no hash is empty), so neither answers sooner.
    let hash = ssr::normalise(&code).map(|code| ssr::hash(&code)).unwrap_or_default();
    let redeemed = state.store.recovery_codes().redeem(user.as_ref().map_or(0, |u| u.id), &hash).await?;
    let Some(user) = user.filter(|_| redeemed) else {
        return Err(AppError::Invalid(crate::error::Refusal::RecoveryFailed));
    };
    users.forget_login_attempts(username).await?;
    ssr::set_password_and_log_in(&state, user.id, &user.username, new_password, "a recovery code").await?;
    leptos_axum::redirect("/profile?recovered");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Making, holding and checking codes.

    use axum::{
        http::{header, StatusCode},
        response::{IntoResponse, Response},
    };
    use rand::{rngs::OsRng, Rng};
    use serde::{Deserialize, Serialize};
    use sha2::{Digest, Sha256};
    use tower_sessions::Session;

    use crate::{
        context::AppState,
        error::AppError,
        limits::{RECOVERY_CODES_PER_SET, RECOVERY_CODES_SHOWN_FOR_MS, RECOVERY_CODE_CHARS},
    };

    /// Sets `new_password` (checked already) on account `user_id`, ends
    /// every session of it (their live sockets close) and logs this browser
    /// in as `username`, in their saved language: the end of a recovery, by
    /// code or by email (`how`, for the log).
    pub async fn set_password_and_log_in(
        state: &AppState,
        user_id: i64,
        username: &str,
        new_password: String,
        how: &str,
    ) -> Result<(), AppError> {
        let password_hash = crate::accounts::ssr::hash_password(new_password).await?;
        state.store.users().set_password_hash(user_id, &password_hash).await?;
        let every: Vec<String> =
            state.store.account_sessions().of_user(user_id).await?.into_iter().map(|row| row.session_id).collect();
        let ended = every.len();
        crate::accounts::sessions::ssr::end_sessions(state, every).await?;
        tracing::info!(user_id, ended, "password reset with {how}; every session ended");
        crate::accounts::ssr::start_session(user_id, username).await?;
        crate::accounts::ssr::restore_language(state, user_id).await
    }

    /// Crockford's base32 alphabet, lower case.
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

    /// Session key of the set being shown ([`HeldCodes`]).
    pub const HELD_CODES_KEY: &str = "recovery_codes";

    /// A new set of codes, in the session until saved.
    #[derive(Serialize, Deserialize)]
    pub struct HeldCodes {
        /// The codes, as shown.
        pub codes: Vec<String>,
        /// When they were made, Unix ms.
        pub made_at: i64,
    }

    /// A new code, as shown: four groups of four characters.
    fn new_code() -> String {
        let raw: Vec<u8> = (0..RECOVERY_CODE_CHARS).map(|_| ALPHABET[OsRng.gen_range(0..ALPHABET.len())]).collect();
        raw.chunks(4).map(|group| std::str::from_utf8(group).expect("ASCII")).collect::<Vec<_>>().join("-")
    }

    /// `typed` as a code's canonical form (lower case, no separators,
    /// look-alikes mapped), or `None` when it cannot be a code.
    pub fn normalise(typed: &str) -> Option<String> {
        let code: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_lowercase() {
                'i' | 'l' => '1',
                'o' => '0',
                other => other,
            })
            .collect();
        (code.len() == RECOVERY_CODE_CHARS && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
    }

    /// The hash kept of a normalised code: its hex SHA-256.
    pub fn hash(normalised: &str) -> String {
        Sha256::digest(normalised.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Makes `user_id` a new set: its hashes replace the old set in the
    /// database, and the codes are held in the request's session to be
    /// shown ([`HeldCodes`]).
    pub async fn make_set(state: &AppState, user_id: i64) -> Result<(), AppError> {
        let codes: Vec<String> = (0..RECOVERY_CODES_PER_SET).map(|_| new_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| hash(&normalise(c).expect("a code we made"))).collect();
        let now = crate::clock::now_ms();
        state.store.recovery_codes().replace(user_id, &hashes, now).await?;
        let session = crate::accounts::ssr::session().await?;
        session.insert(HELD_CODES_KEY, HeldCodes { codes, made_at: now }).await.map_err(|e| internal("session insert", e))?;
        Ok(())
    }

    /// The set `session` holds to be shown, unless it is older than
    /// [`RECOVERY_CODES_SHOWN_FOR_MS`].
    pub async fn held_codes(session: &Session) -> Result<Option<Vec<String>>, AppError> {
        let held = session.get::<HeldCodes>(HELD_CODES_KEY).await.map_err(|e| internal("session read", e))?;
        let now = crate::clock::now_ms();
        Ok(held.filter(|h| now - h.made_at < RECOVERY_CODES_SHOWN_FOR_MS).map(|h| h.codes))
    }

    /// `GET` [`super::RECOVERY_CODES_FILE_PATH`]: the set being shown as a
    /// text file to keep (one code a line, with what they are for), or 404
    /// with a line saying why when there is none. Changes nothing.
    pub async fn codes_file_handler(axum::extract::State(state): axum::extract::State<AppState>, session: Session) -> Response {
        let Ok(Some(user)) = crate::accounts::ssr::user_in(&session, &state.store).await else {
            return (StatusCode::UNAUTHORIZED, "Log in to Roomlink to see your recovery codes.\n").into_response();
        };
        match held_codes(&session).await {
            Ok(Some(codes)) => {
                let body = format!(
                    "Roomlink recovery codes for {}\n\nEach code resets your password once, on Roomlink's log-in page (\"Forgot password?\").\nKeep them somewhere safe.\n\n{}\n",
                    user.username,
                    codes.join("\n")
                );
                let disposition = format!("attachment; filename=\"roomlink-recovery-codes-{}.txt\"", user.username);
                (
                    [
                        (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
                        (header::CONTENT_DISPOSITION, disposition),
                        (header::CACHE_CONTROL, "no-store".to_string()),
                    ],
                    body,
                )
                    .into_response()
            }
            Ok(None) => (StatusCode::NOT_FOUND, "These recovery codes are no longer shown. Make a new set on your Roomlink profile.\n").into_response(),
            Err(err) => err.into_response(),
        }
    }

    pub(crate) fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %err, "{what} failed");
        AppError::Internal
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn codes_are_long_distinct_and_read_back_however_typed() {
            let a = new_code();
            assert_eq!(a.len(), RECOVERY_CODE_CHARS + 3, "{a}");
            assert_eq!(a.split('-').count(), 4);
            assert_ne!(a, new_code());
            let canonical = normalise(&a).unwrap();
            assert_eq!(canonical, a.replace('-', ""));
            assert_eq!(normalise(&format!("  {} ", a.to_uppercase().replace('-', " "))), Some(canonical.clone()));
            assert_eq!(normalise("ILO0-aaaa-bbbb-cccc"), Some("1100aaaabbbbcccc".to_string()));
            assert_eq!(hash(&canonical).len(), 64);
        }

        #[test]
        fn what_cannot_be_a_code_is_refused() {
            assert_eq!(normalise(""), None);
            assert_eq!(normalise("aaaa-bbbb-cccc"), None);
            assert_eq!(normalise("aaaa-bbbb-cccc-dddd-e"), None);
            assert_eq!(normalise("aaaa-bbbb-cccc-ddd!"), None);
            assert_eq!(normalise("aaaa-bbbb-cccc-dddu"), None, "u is not in the alphabet");
        }
    }
}
