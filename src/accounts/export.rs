//! "Download my data" (issue 41): `GET /account/export.json`
//! ([`super::ACCOUNT_DATA_PATH`]) gives the
//! logged-in person a JSON file of what Roomlink holds about them: the
//! account and profile, where it is logged in, its memberships, the invite
//! links it made and the messages it wrote. Brazil's LGPD (art. 18, II and
//! V) gives people the right to such a copy. A read: it changes nothing,
//! so a GET; the session cookie (SameSite=Lax) is what says whose data.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use tower_sessions::Session;

use super::{sessions::ssr::browser_and_system, ssr::user_id_in};
use crate::{
    context::AppState,
    error::AppError,
    store::{ExportedAccount, ExportedInvite, ExportedMembership, ExportedMessage},
};

/// The file's shape, named by [`AccountData::format`].
#[derive(Debug, Serialize)]
pub struct AccountData {
    /// `"roomlink-account-data/1"`: what the rest of the file follows.
    pub format: &'static str,
    /// When the file was made, Unix ms. Every time in it is Unix ms.
    pub exported_at: i64,
    /// The account and profile (never the password hash).
    pub account: ExportedAccount,
    /// Where it is logged in.
    pub sessions: Vec<ExportedSession>,
    /// Rooms it is or was in.
    pub memberships: Vec<ExportedMembership>,
    /// Invite links it made.
    pub invite_links: Vec<ExportedInvite>,
    /// Messages it wrote in rooms, as they are now.
    pub messages: Vec<ExportedMessage>,
}

/// A session, as the profile lists it.
#[derive(Debug, Serialize)]
pub struct ExportedSession {
    /// The browser's User-Agent at log-in.
    pub user_agent: String,
    /// Browser and version read from it, if known.
    pub browser: Option<String>,
    /// System read from it, if known.
    pub system: Option<String>,
    /// The address block it logged in from.
    pub address: String,
    /// When it logged in.
    pub started_at: i64,
    /// When it was last active.
    pub last_active_at: i64,
}

/// `GET /account/export.json`: the logged-in person's data as a download
/// (`Content-Disposition: attachment`, not cached).
///
/// Errors: 401 ([`AppError::NotLoggedIn`]); 500 when the store fails.
pub async fn export_handler(State(state): State<AppState>, session: Session) -> Response {
    match account_data(&state, &session).await {
        Ok((username, data)) => {
            let file = format!("attachment; filename=\"roomlink-{username}-data.json\"");
            let mut response = axum::Json(data).into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&file) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(err) => err.into_response(),
    }
}

/// The data of the user logged in to `session`, and their username (for the file name).
async fn account_data(state: &AppState, session: &Session) -> Result<(String, AccountData), AppError> {
    let user_id = user_id_in(session).await?.ok_or(AppError::NotLoggedIn)?;
    let export = state.store.account_export();
    let account = export.account(user_id).await?.ok_or(AppError::NotLoggedIn)?;
    let sessions = state
        .store
        .account_sessions()
        .of_user(user_id)
        .await?
        .into_iter()
        .map(|row| {
            let (browser, system) = browser_and_system(&row.user_agent);
            ExportedSession {
                user_agent: row.user_agent,
                browser,
                system,
                address: row.address,
                started_at: row.started_at,
                last_active_at: row.last_active_at,
            }
        })
        .collect();
    let data = AccountData {
        format: "roomlink-account-data/1",
        exported_at: crate::clock::now_ms(),
        sessions,
        memberships: export.memberships(user_id).await?,
        invite_links: export.invites(user_id).await?,
        messages: export.messages(user_id).await?,
        account,
    };
    Ok((data.account.username.clone(), data))
}
