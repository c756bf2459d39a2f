//! Where an account is logged in, and changing its password (issue 41).
//!
//! Every log-in notes its session in `account_sessions` (the browser's
//! User-Agent, a coarse address, when it began; when it was last active is
//! noted at most every [`crate::limits::SESSION_ACTIVITY_NOTE_MS`]). The
//! profile lists them, as Discord's "Devices" and Telegram's "Active
//! sessions" do, and ends any one, or every one but the session in use.
//! Ending a session deletes its record (so its cookie logs in no more, on
//! every node) and closes its live sockets at once
//! ([`crate::live::hub::Hub::end_session`]). Changing the password ends
//! every other session the same way.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::Refusal;

/// One session of the account, as the profile lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// How the page names it (for "End").
    pub id: i64,
    /// Browser and major version, e.g. "Chrome 131"; `None` when the
    /// User-Agent says nothing known.
    pub browser: Option<String>,
    /// Operating system, e.g. "Android", "Mac OSX"; `None` when unknown.
    pub system: Option<String>,
    /// Where it logged in from, coarsely: "203.0.113.0/24" or "2001:db8:1::/48".
    pub address: String,
    /// When it began, Unix ms.
    pub started_at: i64,
    /// When it was last used, Unix ms.
    pub last_active_at: i64,
    /// The session this page was loaded in.
    pub current: bool,
}

/// The logged-in account's sessions, the one in use first, then the most
/// recently active. Sessions that expired are dropped from the list.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "account_sessions")]
pub async fn account_sessions() -> Result<Vec<SessionView>, AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    let current = super::ssr::session().await?.id().map(|id| id.to_string());
    let mut views: Vec<SessionView> = ssr::live_sessions(&state, me.id)
        .await?
        .into_iter()
        .map(|row| {
            let (browser, system) = ssr::browser_and_system(&row.user_agent);
            SessionView {
                id: row.id,
                browser,
                system,
                address: row.address,
                started_at: row.started_at,
                last_active_at: row.last_active_at,
                current: current.as_deref() == Some(row.session_id.as_str()),
            }
        })
        .collect();
    views.sort_by_key(|view| !view.current);
    Ok(views)
}

/// Ends session `id` of the logged-in account: that browser is logged out
/// and its live sockets close at once.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Invalid`] with
/// [`Refusal::SessionGone`] (ended already, or not theirs) or
/// [`Refusal::ThisSession`] (the session in use: log out instead).
#[server(endpoint = "end_account_session")]
pub async fn end_account_session(id: i64) -> Result<(), AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    let current = super::ssr::session().await?.id().map(|id| id.to_string());
    let rows = state.store.account_sessions().of_user(me.id).await?;
    let Some(row) = rows.into_iter().find(|row| row.id == id) else {
        return Err(AppError::Invalid(Refusal::SessionGone));
    };
    if current.as_deref() == Some(row.session_id.as_str()) {
        return Err(AppError::Invalid(Refusal::ThisSession));
    }
    ssr::end_sessions(&state, vec![row.session_id]).await?;
    tracing::info!(user_id = me.id, "a session was ended from the profile");
    Ok(())
}

/// Ends every session of the logged-in account but the one in use.
/// Returns how many ended.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<usize, AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    let ended = ssr::end_all_but_current(&state, me.id).await?;
    tracing::info!(user_id = me.id, ended, "other sessions were ended from the profile");
    Ok(ended)
}

/// Changes the logged-in account's password from `current_password` to
/// `new_password` (checked as at sign-up), and ends every other session of
/// the account, whose live sockets close at once; this one stays logged in.
///
/// Guesses at the current password count against the account's log-in
/// attempts ([`crate::limits::LOGIN_ATTEMPTS_PER_USERNAME`]), so a stolen
/// session cannot try passwords faster than the log-in page allows.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Invalid`] with
/// [`Refusal::WrongCurrentPassword`] or the password rules' refusal;
/// [`AppError::TooManyRequests`] past the attempts. Nothing changes then.
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let me = super::ssr::require_user().await?;
    super::rules::check_password(&new_password).map_err(AppError::Invalid)?;
    let state = crate::context::state()?;
    ssr::check_password_of(&state, &me, current_password).await?;
    let hash = super::ssr::hash_password(new_password).await?;
    state.store.users().set_password_hash(me.id, &hash).await?;
    let ended = ssr::end_all_but_current(&state, me.id).await?;
    tracing::info!(user_id = me.id, ended, "password changed; other sessions ended");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Noting, listing and ending sessions.

    use std::{
        net::{IpAddr, SocketAddr},
        str::FromStr,
    };

    use axum::{
        extract::ConnectInfo,
        http::{header, Extensions, HeaderMap},
    };
    use tower_sessions::{session::Id, SessionStore};

    use crate::{
        accounts::CurrentUser,
        context::AppState,
        error::{AppError, Refusal},
        limits::USER_AGENT_MAX_CHARS,
        store::{AccountSessionRow, NewAccountSession},
    };

    /// Where a request comes from, as a session's row keeps it.
    pub struct Device {
        /// The User-Agent, cut to [`USER_AGENT_MAX_CHARS`].
        pub user_agent: String,
        /// The client's address, coarse ([`coarse`]); empty when unknown.
        pub address: String,
    }

    /// The device of a request with these `headers` and `extensions` (the
    /// client's address as the rate limits read it, behind trusted proxies too).
    pub fn device_of(state: &AppState, headers: &HeaderMap, extensions: &Extensions) -> Device {
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(USER_AGENT_MAX_CHARS)
            .collect();
        let address = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|peer| coarse(state.rate_limits.client_key(peer.0.ip(), headers)))
            .unwrap_or_default();
        Device { user_agent, address }
    }

    /// Notes session `session_id` of `user_id`, which just logged in, with
    /// the request's device. A failure is logged: the log-in stands without
    /// its row (noted again on its next visit, see [`note_activity`]).
    pub async fn note_log_in(state: &AppState, user_id: i64, session_id: &str) {
        let Some(parts) = crate::context::request_context::<axum::http::request::Parts>() else { return };
        let device = device_of(state, &parts.headers, &parts.extensions);
        let new = NewAccountSession {
            user_id,
            session_id,
            user_agent: &device.user_agent,
            address: &device.address,
            now_ms: crate::clock::now_ms(),
        };
        if let Err(err) = state.store.account_sessions().add(new).await {
            tracing::error!(error = %err, "noting a log-in's session failed");
        }
    }

    /// Notes that session `session_id` of `user_id` was used at `now_ms`
    /// from `device`; a session without a row (from before rows were kept,
    /// or whose note failed) gets one, so that it is listed and can be ended.
    ///
    /// Returns `false`, noting nothing, for a session without a row whose
    /// account was deleted since: "Delete my account" ends the sessions it
    /// finds rows for, so such a session is one it could not see, and the
    /// caller ends it.
    pub async fn note_activity(state: &AppState, user_id: i64, session_id: &str, device: Device, now_ms: i64) -> Result<bool, AppError> {
        let rows = state.store.account_sessions();
        if rows.touch(session_id, now_ms).await? {
            return Ok(true);
        }
        if !state.store.users().stands(user_id).await? {
            return Ok(false);
        }
        let new = NewAccountSession { user_id, session_id, user_agent: &device.user_agent, address: &device.address, now_ms };
        rows.add(new).await?;
        Ok(true)
    }

    /// The block an address is shown as: its /24 for IPv4, its /48 for
    /// IPv6 (enough to tell home from work, not to find a house).
    pub fn coarse(ip: IpAddr) -> String {
        match ip {
            IpAddr::V4(v4) => {
                let [a, b, c, _] = v4.octets();
                format!("{a}.{b}.{c}.0/24")
            }
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => coarse(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    format!("{}/48", std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
                }
            },
        }
    }

    /// Browser (name and major version) and system read from a User-Agent
    /// by woothee (the parser of the Woothee project's shared dataset);
    /// `None` for what it does not know.
    pub fn browser_and_system(user_agent: &str) -> (Option<String>, Option<String>) {
        let known = |s: &str| (!s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN).then(|| s.to_string());
        match woothee::parser::Parser::new().parse(user_agent) {
            Some(found) => {
                let major = found.version.split('.').next().unwrap_or_default();
                let browser = known(found.name).map(|name| match known(major) {
                    Some(major) => format!("{name} {major}"),
                    None => name,
                });
                (browser, known(found.os))
            }
            None => (None, None),
        }
    }

    /// The account's noted sessions whose record still stands; the rows of
    /// those that expired or ended elsewhere are forgotten on the way.
    pub async fn live_sessions(state: &AppState, user_id: i64) -> Result<Vec<AccountSessionRow>, AppError> {
        let sessions = state.store.sessions();
        let mut live = Vec::new();
        let mut gone = Vec::new();
        for row in state.store.account_sessions().of_user(user_id).await? {
            let stands = match Id::from_str(&row.session_id) {
                Ok(id) => sessions.load(&id).await.map_err(|e| internal("session load", e))?.is_some(),
                Err(_) => false,
            };
            if stands { live.push(row) } else { gone.push(row.session_id) }
        }
        state.store.account_sessions().forget(&gone).await?;
        Ok(live)
    }

    /// Ends these sessions: their records go (so their cookies log in no
    /// more), their live sockets close at once on every node, and their rows go.
    pub async fn end_sessions(state: &AppState, session_ids: Vec<String>) -> Result<(), AppError> {
        let sessions = state.store.sessions();
        for session_id in &session_ids {
            if let Ok(id) = Id::from_str(session_id) {
                sessions.delete(&id).await.map_err(|e| internal("session delete", e))?;
            }
            state.hub.end_session(session_id);
        }
        state.store.account_sessions().forget(&session_ids).await?;
        Ok(())
    }

    /// Ends every session of `user_id` but the request's own; returns how many.
    pub async fn end_all_but_current(state: &AppState, user_id: i64) -> Result<usize, AppError> {
        let current = crate::accounts::ssr::session().await?.id().map(|id| id.to_string());
        let others: Vec<String> = state
            .store
            .account_sessions()
            .of_user(user_id)
            .await?
            .into_iter()
            .map(|row| row.session_id)
            .filter(|id| Some(id) != current.as_ref())
            .collect();
        let ended = others.len();
        end_sessions(state, others).await?;
        Ok(ended)
    }

    /// Checks that `password` is `me`'s, before an account control that
    /// asks for it. Each check counts against the account's log-in attempts
    /// ([`crate::limits::LOGIN_ATTEMPTS_PER_USERNAME`]), so a stolen session
    /// cannot try passwords faster than the log-in page allows; a right one
    /// clears the count.
    ///
    /// Errors: [`AppError::Invalid`] with [`Refusal::WrongCurrentPassword`];
    /// [`AppError::TooManyRequests`] past the attempts.
    pub async fn check_password_of(state: &AppState, me: &CurrentUser, password: String) -> Result<(), AppError> {
        use crate::limits::{LOGIN_ATTEMPTS_PER_USERNAME, LOGIN_WINDOW_SECS};
        let users = state.store.users();
        let window_ms = (LOGIN_WINDOW_SECS * 1000) as i64;
        if let Some(wait_ms) = users.count_login_attempt(&me.username, crate::clock::now_ms(), window_ms, LOGIN_ATTEMPTS_PER_USERNAME).await? {
            let wait_secs = ((wait_ms + 999) / 1000).clamp(1, LOGIN_WINDOW_SECS as i64);
            return Err(AppError::TooManyRequests(wait_secs as u64));
        }
        let stored = users.get(me.id).await?.map(|user| user.password_hash);
        if !crate::accounts::ssr::verify_password(password, stored).await? {
            return Err(AppError::Invalid(Refusal::WrongCurrentPassword));
        }
        users.forget_login_attempts(&me.username).await?;
        Ok(())
    }

    fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %err, "{what} failed");
        AppError::Internal
    }
}
