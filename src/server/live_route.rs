//! `GET /live`: the route of the live WebSocket. It checks what only the
//! server's upper layers know (the request's origin, the logged-in session)
//! and hands the upgrade to the live layer ([`crate::live::socket::accept`]).

use axum::{
    extract::{ws::WebSocketUpgrade, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use crate::{
    accounts::ssr::user_in,
    context::{origin::origin_matches, AppState},
    live::socket,
};

/// `GET /live`: upgrades to the live WebSocket.
///
/// Answers 403 when `Origin` is missing or names another site, 401 when
/// neither logged in nor carrying an instant chat cookie.
pub async fn live_handler(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_matches(&headers, &state.settings, true) {
        return (StatusCode::FORBIDDEN, "WebSocket from another site refused").into_response();
    }
    let me = user_in(&session, &state.store).await.ok().flatten();
    socket::accept(state.live(), me, session.id(), &headers, upgrade)
}
