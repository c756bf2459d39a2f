//! The rate limits per client address, applied to the server functions
//! they cover before the function runs: accepting an invite, starting an
//! instant chat, logging in (and resetting a password with a recovery
//! code), and signing up ([`AddressLimit`]; the limiters
//! and their quotas are [`crate::context::rate_limits`]). Past a limit the
//! answer is 429 with `Retry-After` (RFC 9110 §10.2.3) and
//! [`AppError::TooManyRequests`] as the server function's error, or a short
//! page for plain form posts.
//!
//! The server functions are named by their type (`ServerFn::PATH`), so a
//! renamed endpoint cannot slip out of its limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::{
    body::Body,
    extract::{ConnectInfo, State},
    http::{header, Method, Request},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::ServerFn;

use crate::{
    accounts::{
        email::{AddEmail, ResetPassword, SendResetLink},
        recovery::RecoverAccount,
        LogIn, SignUp,
    },
    context::{rate_limits::AddressLimit, AppState},
    error::AppError,
    instant::api::StartInstantChat,
    invites::AcceptInvite,
};

/// The limit per address that covers a POST to `path`, with what it counts
/// (for the log), if any.
fn limit_for(path: &str) -> Option<(AddressLimit, &'static str)> {
    [
        (<AcceptInvite as ServerFn>::PATH, AddressLimit::Joins, "join attempts"),
        (<StartInstantChat as ServerFn>::PATH, AddressLimit::InstantChatStarts, "instant chat starts"),
        (<LogIn as ServerFn>::PATH, AddressLimit::LogIns, "log-in attempts"),
        // A password reset guesses a secret as a log-in does, from the same budget.
        (<RecoverAccount as ServerFn>::PATH, AddressLimit::LogIns, "recovery attempts"),
        (<ResetPassword as ServerFn>::PATH, AddressLimit::LogIns, "reset attempts"),
        // Each may send a mail: from the same budget, so nobody floods inboxes.
        (<SendResetLink as ServerFn>::PATH, AddressLimit::LogIns, "reset links asked for"),
        (<AddEmail as ServerFn>::PATH, AddressLimit::LogIns, "confirmation links asked for"),
        (<SignUp as ServerFn>::PATH, AddressLimit::SignUps, "sign-ups"),
    ]
    .into_iter()
    .find(|(fn_path, _, _)| *fn_path == path)
    .map(|(_, limit, what)| (limit, what))
}

/// Middleware: applies the limits to the requests they cover.
pub async fn limit(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    if let (true, Some((attempt, what))) = (req.method() == Method::POST, limit_for(req.uri().path())) {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let ip = state.rate_limits.client_key(peer, req.headers());
        if let Err(wait_secs) = state.rate_limits.check_address(attempt, ip) {
            tracing::warn!(%ip, wait_secs, what, "rate-limited");
            return too_many(&req, wait_secs);
        }
    }
    next.run(req).await
}

/// The 429 answer: a short page for a plain form post (the browser shows
/// it), else the error as JSON; both with `Retry-After`.
fn too_many(req: &Request<Body>, wait_secs: u64) -> Response {
    let error = AppError::TooManyRequests(wait_secs);
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !wants_html {
        return error.into_response();
    }
    let (status, retry_after) = error.response_head();
    let page = format!(
        "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>Too many requests</title><p>{}</p><p><a href=\"/\">Back to Roomlink</a></p>",
        html_escape::encode_text(&error.to_string())
    );
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    response.headers_mut().extend(retry_after);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limited_server_functions_are_found_by_their_paths() {
        assert_eq!(limit_for("/api/accept_invite").map(|l| l.0), Some(AddressLimit::Joins));
        assert_eq!(limit_for("/api/start_instant_chat").map(|l| l.0), Some(AddressLimit::InstantChatStarts));
        assert_eq!(limit_for("/api/log_in").map(|l| l.0), Some(AddressLimit::LogIns));
        assert_eq!(limit_for("/api/sign_up").map(|l| l.0), Some(AddressLimit::SignUps));
        assert_eq!(limit_for("/api/recover_account").map(|l| l.0), Some(AddressLimit::LogIns));
        assert_eq!(limit_for("/api/send_reset_link").map(|l| l.0), Some(AddressLimit::LogIns));
        assert_eq!(limit_for("/api/log_out"), None);
    }
}
