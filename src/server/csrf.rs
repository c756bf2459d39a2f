//! Refuses state-changing requests that come from another site.
//!
//! Browsers label every request with `Sec-Fetch-Site` and (on POST and
//! WebSocket) `Origin`. A POST is refused when `Sec-Fetch-Site` says
//! `cross-site` or `same-site` (a sibling subdomain), or when `Origin` names
//! another origin than this server's. This follows OWASP's "verifying origin
//! with standard headers" and Go 1.25's `http.CrossOriginProtection`. Requests
//! with neither header (not from a browser) pass: the SameSite=Lax cookie
//! already keeps other sites' forms from carrying a session.

use axum::{
    body::Body,
    extract::State,
    http::{Method, Request, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::context::{origin::origin_matches, AppState};

/// Middleware: lets safe methods through and checks the others.
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || origin_matches(req.headers(), &state.settings, false) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        let locale = crate::i18n::negotiation::request_locale(req.headers());
        (StatusCode::FORBIDDEN, crate::i18n::td_string!(locale, errors.cross_site)).into_response()
    }
}
