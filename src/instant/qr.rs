//! `GET /instant-chat/<id>/qr.svg`: the chat's link as a QR code, so a phone
//! camera can open it. Rendered on the server as SVG by the `qrcode` crate.

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use super::{chat_path, is_valid_chat_id};
use crate::{
    clock::now_ms,
    context::{origin_for, AppState},
    error::AppError,
};

/// Path pattern of the QR route.
pub const QR_ROUTE: &str = "/instant-chat/{id}/qr.svg";

/// The SVG of a QR code that encodes `text`, at least 240 px wide with the
/// standard quiet zone. `None` if the text is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

/// Answers the QR code of an open chat's link; 404 for unknown, ended or
/// expired chats. Reads only.
pub async fn qr_handler(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let open = match is_valid_chat_id(&id) {
        true => state.store.instant_chats().get(&id).await.ok().flatten().filter(|c| c.is_open(now_ms())),
        false => None,
    };
    let Some(chat) = open else {
        let locale = crate::i18n::negotiation::request_locale(&headers);
        return (StatusCode::NOT_FOUND, AppError::ChatNotFound.message(locale)).into_response();
    };
    let url = format!("{}{}", origin_for(&state.settings, Some(&headers)), chat_path(&chat.id));
    match svg(&url) {
        Some(svg) => (
            [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "private, max-age=3600")],
            svg,
        )
            .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
