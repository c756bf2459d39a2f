//! Whether a request comes from this server's own pages, by the headers
//! browsers set: `Sec-Fetch-Site` and `Origin` (OWASP's "verifying origin
//! with standard headers"; Go 1.25's `http.CrossOriginProtection`). Used by
//! the server's cross-site check ([`crate::server::csrf`]) and by the live
//! socket's upgrade.

use axum::http::{header, HeaderMap};

use super::Settings;

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
