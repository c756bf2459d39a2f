//! Gives server function errors their real HTTP status.
//!
//! Leptos answers every server function error with 500. This middleware
//! reads the [`AppError`] in such an answer and sets the status it stands for
//! ([`AppError::response_head`], the one mapping: 400 bad input, 403, 404,
//! 409 taken or full, 410 ended, 429 with `Retry-After`), so clients, logs
//! and proxies see what happened.

use axum::{
    body::{to_bytes, Body},
    http::{Request, StatusCode},
    middleware::Next,
    response::Response,
};

use crate::error::AppError;

/// Largest error body read back, in bytes (errors are a short JSON value).
const ERROR_BODY_MAX_BYTES: usize = 64 * 1024;

/// Middleware: rewrites the status of failed `/api/` calls.
pub async fn error_status(req: Request<Body>, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_MAX_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        let (status, header) = error.response_head();
        parts.status = status;
        parts.headers.extend(header);
    }
    Response::from_parts(parts, Body::from(bytes))
}
