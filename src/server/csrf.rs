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
    http::{header, HeaderMap, Method, Request, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{config::Settings, AppState};

/// Middleware: lets safe methods through and checks the others.
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || origin_matches(req.headers(), &state.settings, false) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused. Open Roomlink directly and try again.",
        )
            .into_response()
    }
}

/// True when the request comes from this server's own pages.
///
/// With `require_origin`, a missing `Origin` header fails (used for the
/// WebSocket upgrade, where browsers always send one).
pub fn origin_matches(headers: &HeaderMap, settings: &Settings, require_origin: bool) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site") | Some("same-site")) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return !require_origin;
    };
    let configured = settings.public_origin.trim_end_matches('/');
    if !configured.is_empty() {
        return origin.eq_ignore_ascii_case(configured);
    }
    // No configured origin: the Origin's host[:port] must be the Host we were reached at.
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, axum::http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_passes_and_others_fail() {
        let s = Settings::default();
        assert!(origin_matches(&headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]), &s, true));
        assert!(!origin_matches(&headers(&[("host", "127.0.0.1:3000"), ("origin", "http://evil.example")]), &s, false));
        assert!(!origin_matches(&headers(&[("host", "a:1"), ("sec-fetch-site", "cross-site")]), &s, false));
        assert!(!origin_matches(&headers(&[("host", "a:1"), ("origin", "null")]), &s, false));
        assert!(origin_matches(&headers(&[("host", "a:1")]), &s, false));
        assert!(!origin_matches(&headers(&[("host", "a:1")]), &s, true));
    }

    #[test]
    fn configured_origin_wins() {
        let s = Settings { public_origin: "https://chat.example.com/".into(), ..Settings::default() };
        assert!(origin_matches(&headers(&[("host", "internal:3000"), ("origin", "https://chat.example.com")]), &s, true));
        assert!(!origin_matches(&headers(&[("host", "chat.example.com"), ("origin", "http://chat.example.com")]), &s, true));
    }
}
