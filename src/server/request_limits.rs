//! Size and time limits on server function calls (`/api/...`).
//!
//! A call's body may be at most [`SERVER_FN_BODY_MAX_BYTES`]: a declared
//! larger one is answered 413 before anything is read, and a body sent
//! without a length stops being read at the limit (the call then fails as
//! unreadable). A call must be answered within [`SERVER_FN_TIME_LIMIT_SECS`],
//! reading its body included, or it is answered 408: a client that trickles
//! its body cannot hold a task and its memory forever. Uploads have their
//! own routes and limits ([`crate::limits::IMAGE_MAX_BYTES`]), and the
//! request line and headers of every request have
//! [`crate::limits::HEADERS_TIME_LIMIT_SECS`] (see [`super::serve`]).

use std::time::Duration;

use axum::{
    body::Body,
    http::{header, HeaderValue, Request, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    error::{AppError, Refusal},
    limits::{SERVER_FN_BODY_MAX_BYTES, SERVER_FN_TIME_LIMIT_SECS},
};

/// Middleware: applies the limits above to `/api/` calls.
pub async fn limit_calls(req: Request<Body>, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > SERVER_FN_BODY_MAX_BYTES as u64) {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, AppError::TooLarge(too_large()));
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, SERVER_FN_BODY_MAX_BYTES)));
    match tokio::time::timeout(Duration::from_secs(SERVER_FN_TIME_LIMIT_SECS), next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_secs = SERVER_FN_TIME_LIMIT_SECS, "a server function call ran out of time");
            refusal(
                StatusCode::REQUEST_TIMEOUT,
                AppError::Unavailable(Refusal::TookTooLong { seconds: SERVER_FN_TIME_LIMIT_SECS }),
            )
        }
    }
}

/// What a too large call is told.
fn too_large() -> Refusal {
    Refusal::RequestTooLarge { max_kib: SERVER_FN_BODY_MAX_BYTES / 1024 }
}

/// `status` with `error` as a server function's JSON error body.
fn refusal(status: StatusCode, error: AppError) -> Response {
    let body = serde_json::to_string(&error).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
