//! Server-only account code: password hashing, the session, and where to
//! go after logging in.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use axum::{
    extract::{Request, State},
    http::{header, Method},
    middleware::Next,
    response::Response,
};
use tower_sessions::Session;

use super::CurrentUser;
use crate::{
    context::AppState,
    error::AppError,
    limits::{PASSWORD_HASHES_AT_ONCE, SESSION_REFRESH_MS},
    clock::now_ms,
};

/// Session key holding the logged-in user's id (`i64`).
pub const USER_ID_KEY: &str = "user_id";
/// Session key holding when the session was last saved (Unix ms, `i64`).
pub const SAVED_AT_KEY: &str = "saved_at";
/// Session key holding the logged-in user's username (`String`), so that
/// knowing who is asking takes no database read: Roomlink never changes a
/// username, and deleting an account (which renames it) ends every session
/// it has ([`super::deletion`]), so the copy made at log-in stays true.
/// Sessions from before this key get it on their next request.
pub const USERNAME_KEY: &str = "username";
/// Session key holding when the session last noted its activity in its
/// `account_sessions` row (Unix ms, `i64`; see [`super::sessions`]).
pub const ACTIVE_AT_KEY: &str = "active_at";

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

/// Turns for Argon2id work: at most [`PASSWORD_HASHES_AT_ONCE`] hashes run
/// at once in this process, the rest wait in line (fairly, first come first
/// served), so a flood of log-ins or sign-ups costs time, not memory.
async fn hashing_turn() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PASSWORD_HASHES_AT_ONCE);
    TURNS.acquire().await.map_err(|e| internal("hashing turn", e))
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes,
/// OWASP's recommendation) on a blocking thread, in its turn
/// ([`PASSWORD_HASHES_AT_ONCE`]). Returns a PHC string.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _turn = hashing_turn().await?;
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
    let _turn = hashing_turn().await?;
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
    let alive = crate::context::hold_owners();
    let session = leptos_axum::extract::<Session>().await.map_err(|e| internal("session extract", e));
    drop(alive);
    session
}

/// Logs `user_id` in: a fresh session id (against session fixation)
/// holding it and their `username`.
///
/// The session is saved at once, to learn its id, and noted in the
/// account's list of sessions ([`super::sessions`]).
pub async fn start_session(user_id: i64, username: &str) -> Result<(), AppError> {
    let session = session().await?;
    let now = now_ms();
    session.cycle_id().await.map_err(|e| internal("session cycle", e))?;
    session.insert(SAVED_AT_KEY, now).await.map_err(|e| internal("session insert", e))?;
    session.insert(ACTIVE_AT_KEY, now).await.map_err(|e| internal("session insert", e))?;
    session.insert(USERNAME_KEY, username).await.map_err(|e| internal("session insert", e))?;
    session.insert(USER_ID_KEY, user_id).await.map_err(|e| internal("session insert", e))?;
    session.save().await.map_err(|e| internal("session save", e))?;
    if let Some(id) = session.id() {
        super::sessions::ssr::note_log_in(&crate::context::state()?, user_id, &id.to_string()).await;
    }
    Ok(())
}

/// Saves `locale` as the browser's choice of language (the
/// [`crate::i18n::LANGUAGE_COOKIE`] cookie, a year, `Secure` as the
/// settings say) in the answer being made.
pub fn set_language_cookie(state: &crate::context::AppState, locale: crate::i18n::Locale) {
    let value = crate::i18n::negotiation::choice_cookie(locale, state.settings.secure_cookies);
    crate::context::set_cookie(&value, "language");
}

/// At log-in: the language `user_id` chose on any device, if any, becomes
/// this browser's choice too.
pub async fn restore_language(state: &crate::context::AppState, user_id: i64) -> Result<(), AppError> {
    if let Some(locale) = state.store.users().language(user_id).await?.as_deref().and_then(crate::i18n::locale_from_tag) {
        set_language_cookie(state, locale);
    }
    Ok(())
}

/// At sign-up: a language this browser chose before the account existed
/// becomes the account's.
pub async fn keep_chosen_language(state: &crate::context::AppState, user_id: i64) -> Result<(), AppError> {
    use crate::i18n::I18nLocaleTrait as _;
    let chosen = crate::context::request_context::<axum::http::request::Parts>()
        .and_then(|parts| crate::i18n::negotiation::chosen(&parts.headers));
    if let Some(locale) = chosen {
        state.store.users().set_language(user_id, locale.as_str()).await?;
    }
    Ok(())
}

/// Middleware just inside the session layer: keeps a logged-in session alive
/// while it is used. tower-sessions saves a session, and moves its
/// inactivity expiry ([`crate::limits::SESSION_IDLE_DAYS`]) and cookie
/// forward, only when the request changed it; without this, a session would
/// end 30 days after the log-in however often it was used. So on a visit (a
/// page load, which asks for HTML, or any request other than GET) by a
/// logged-in user whose session was saved more than
/// [`SESSION_REFRESH_MS`] ago, it notes the time in the session, which
/// makes the layer save it and send the cookie again. Assets and logged-out
/// visitors cost nothing; a failure is logged and the response kept.
///
/// On such a visit, before the request is handled, it also notes, at most
/// every [`crate::limits::SESSION_ACTIVITY_NOTE_MS`], that the session was
/// active (for the profile's list of sessions, [`super::sessions`]), and
/// logs out a session whose account was deleted without seeing it.
pub async fn keep_session_alive(State(state): State<AppState>, session: Session, request: Request, next: Next) -> Response {
    let visit = request.method() != Method::GET
        || request.headers().get(header::ACCEPT).and_then(|a| a.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if visit {
        // Before the handler: a session of a deleted account is served
        // logged out from its first visit on.
        let device = super::sessions::ssr::device_of(&state, request.headers(), request.extensions());
        if let Err(e) = note_activity_if_due(&state, &session, device, now_ms()).await {
            tracing::warn!(error = %e, "could not note a session's activity");
        }
    }
    let response = next.run(request).await;
    if visit && !response.status().is_server_error() {
        if let Err(e) = refresh_if_due(&session, now_ms()).await {
            tracing::warn!(error = %e, "could not refresh a session");
        }
    }
    response
}

/// Who a page is rendered for, read from the session before the page
/// renders ([`note_account_for_render`]) so that its header names them
/// without waiting: a part of a page streamed out of order that waits is
/// sent as a later chunk only JavaScript swaps in. `None`: logged out.
#[derive(Clone, Debug)]
pub struct AccountAtRender(pub Option<CurrentUser>);

/// Middleware on the page routes (and the not-found page): notes
/// [`AccountAtRender`] in the request's extensions. The session is read from
/// memory on SQLite, one row on PostgreSQL; a failure is logged and the page
/// rendered as for a logged-out visitor.
pub async fn note_account_for_render(State(state): State<AppState>, session: Session, mut request: Request, next: Next) -> Response {
    let account = user_in(&session, &state.store).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not read who a page is for");
        None
    });
    request.extensions_mut().insert(AccountAtRender(account));
    next.run(request).await
}

/// The account the page being rendered is for ([`AccountAtRender`]);
/// `None` when logged out or outside a page render.
pub fn account_at_render() -> Option<CurrentUser> {
    crate::context::request_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<AccountAtRender>().cloned())
        .and_then(|account| account.0)
}

/// Notes a logged-in `session`'s activity at `now_ms` when it last did
/// [`crate::limits::SESSION_ACTIVITY_NOTE_MS`] or more before (or never), and
/// logs it out (flushes it) when its account was deleted without it being
/// seen ([`super::sessions::ssr::note_activity`] answers `false`).
async fn note_activity_if_due(
    state: &AppState,
    session: &Session,
    device: super::sessions::ssr::Device,
    now_ms: i64,
) -> Result<(), AppError> {
    let (Some(user_id), Some(id)) = (user_id_in(session).await?, session.id()) else { return Ok(()) };
    let noted_at = session.get::<i64>(ACTIVE_AT_KEY).await.map_err(|e| internal("session read", e))?.unwrap_or(0);
    if now_ms - noted_at < crate::limits::SESSION_ACTIVITY_NOTE_MS {
        return Ok(());
    }
    if super::sessions::ssr::note_activity(state, user_id, &id.to_string(), device, now_ms).await? {
        session.insert(ACTIVE_AT_KEY, now_ms).await.map_err(|e| internal("session insert", e))?;
    } else {
        tracing::info!(user_id, "a session of a deleted account was used: it is ended");
        session.flush().await.map_err(|e| internal("session flush", e))?;
        state.hub.end_session(&id.to_string());
    }
    Ok(())
}

/// Notes `now_ms` in a logged-in `session` last saved [`SESSION_REFRESH_MS`]
/// or more before it (or never, as sessions from before this key).
async fn refresh_if_due(session: &Session, now_ms: i64) -> Result<(), tower_sessions::session::Error> {
    if session.get::<i64>(USER_ID_KEY).await?.is_none() {
        return Ok(());
    }
    let saved_at = session.get::<i64>(SAVED_AT_KEY).await?.unwrap_or(0);
    if now_ms - saved_at >= SESSION_REFRESH_MS {
        session.insert(SAVED_AT_KEY, now_ms).await?;
    }
    Ok(())
}

/// Logs out: deletes the session row and the cookie, and closes the
/// session's live sockets on this server at once (each of their topics
/// ends with [`crate::live::socket::LOGGED_OUT`]; other nodes' sockets
/// notice on their next session check, see [`crate::limits::LIVE_SESSION_CHECK_MS`]).
pub async fn end_session() -> Result<(), AppError> {
    let session = session().await?;
    let id = session.id();
    session.flush().await.map_err(|e| internal("session flush", e))?;
    if let Some(id) = id {
        let state = crate::context::state()?;
        state.hub.end_session(&id.to_string());
        state.store.account_sessions().forget(&[id.to_string()]).await?;
    }
    Ok(())
}

/// The logged-in user's id in `session`, if any.
pub async fn user_id_in(session: &Session) -> Result<Option<i64>, AppError> {
    session.get::<i64>(USER_ID_KEY).await.map_err(|e| internal("session read", e))
}

/// The logged-in user, or `None` ([`user_in`] the request's session).
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    user_in(&session().await?, &crate::context::state()?.store).await
}

/// The user logged in to `session`, or `None`, from the session alone
/// ([`USERNAME_KEY`]). A session from before that key is completed from the
/// `users` table once; one naming a user that is not there counts as
/// logged out. Errors: [`AppError::Internal`] when the session or the table
/// cannot be read.
pub async fn user_in(session: &Session, store: &crate::store::Store) -> Result<Option<CurrentUser>, AppError> {
    let Some(id) = user_id_in(session).await? else {
        return Ok(None);
    };
    if let Some(username) = session.get::<String>(USERNAME_KEY).await.map_err(|e| internal("session read", e))? {
        return Ok(Some(CurrentUser { id, username }));
    }
    let Some(user) = store.users().get(id).await? else {
        return Ok(None);
    };
    if let Err(e) = session.insert(USERNAME_KEY, &user.username).await {
        tracing::warn!(error = %e, "could not note the username in a session");
    }
    Ok(Some(CurrentUser { id: user.id, username: user.username }))
}

/// The logged-in user. Errors: [`AppError::NotLoggedIn`].
pub async fn require_user() -> Result<CurrentUser, AppError> {
    current_user().await?.ok_or(AppError::NotLoggedIn)
}

fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{what} failed");
    AppError::Internal
}

/// `next` when it is a path on this site; otherwise `/`. Keeps a log-in
/// link from sending people to another site.
///
/// `next` is resolved the way a browser resolves a `Location` header
/// (WHATWG URL parsing, the `url` crate) against a stand-in origin, and
/// kept only when the result is still on that origin. So whatever a browser
/// would read as another host is refused, including forms that only look
/// local: `//evil.example`, `/\evil.example`, and `/<TAB>/evil.example`
/// (URL parsing drops tabs and newlines, leaving `//evil.example`). The
/// answer is the resolved path, query and fragment, so what the browser is
/// sent is exactly what was checked.
pub fn local_path_or_home(next: Option<&str>) -> String {
    const STAND_IN: &str = "http://roomlink.invalid/";
    let Some(next) = next.filter(|p| p.starts_with('/')) else { return "/".to_string() };
    let base = url::Url::parse(STAND_IN).expect("a valid base");
    match base.join(next) {
        Ok(resolved) if resolved.origin() == base.origin() => resolved[url::Position::BeforePath..].to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path_or_home;

    #[test]
    fn next_paths() {
        assert_eq!(local_path_or_home(Some("/join/abc")), "/join/abc");
        assert_eq!(local_path_or_home(Some("//evil.example")), "/");
        assert_eq!(local_path_or_home(Some("https://evil.example")), "/");
        assert_eq!(local_path_or_home(Some("/\\evil.example")), "/");
        for sneaky in ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", "/\t\\evil.example"] {
            assert_eq!(local_path_or_home(Some(sneaky)), "/", "{sneaky:?}");
        }
        assert_eq!(local_path_or_home(Some("/rooms/7?tab=links#end")), "/rooms/7?tab=links#end");
        assert_eq!(local_path_or_home(Some("/a/../join/x")), "/join/x");
        assert_eq!(local_path_or_home(None), "/");
    }
}
