//! `GET /join/<token>/qr.svg`: an invite link as a QR code that a phone
//! camera opens. It encodes the link without looking the token up, so it
//! tells nothing about whether the link works (and changes nothing); only
//! well-formed tokens are drawn.

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use crate::{
    context::{origin_for, AppState},
    error::AppError,
};

/// Path pattern of the route.
pub const QR_ROUTE: &str = "/join/{token}/qr.svg";

/// Answers the QR code of `/join/<token>`; 404 for a malformed token.
pub async fn qr_handler(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    if crate::invite_token::hash(&token).is_none() {
        let locale = crate::i18n::negotiation::request_locale(&headers);
        return (StatusCode::NOT_FOUND, AppError::InviteInvalid.message(locale)).into_response();
    }
    let url = format!("{}/join/{token}", origin_for(&state.settings, Some(&headers)));
    match crate::instant::qr::svg(&url) {
        Some(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "private, max-age=86400"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            svg,
        )
            .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
