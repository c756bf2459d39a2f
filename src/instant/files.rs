//! Images and voice messages in instant chats, for guests and accounts alike.
//!
//! `POST /instant-chat/<id>/attachments?client_id=<id>` takes a file from a
//! participant (known by their signed chat cookie or their account) under
//! the same rules as rooms: type from the bytes, the limits in
//! [`crate::limits`], one line per `(participant, client id)`. Where it is
//! kept follows the chat's history setting:
//!
//! - history on: under `<data_dir>/uploads/` with an `instant_attachments`
//!   row; the sweeper deletes both when the chat ends;
//! - history off: in memory only, with the line ([`super::memory`]), never
//!   on disk, and gone when the chat ends.
//!
//! `GET /instant-chat/<id>/attachments/<file id>` serves a file to people in
//! the chat only; in a chat without history, only to those who were there
//! when it was sent (as with its line).

use axum::{
    body::Body,
    extract::{Path, Query, Request, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use super::ssr;
use crate::{
    accounts::ssr::user_id_in,
    attachments::http::{
        checked_client_id, file_headers, read_upload, save_upload, serve_file, settle, stored_file,
        upload_response, uploads_dir, UploadQuery,
    },
    error::{AppError, Refusal},
    live::{
        timeline::{memory::MemoryUpload, ChatFile, NewLine},
        ChatMessage,
    },
    context::{rate_limits::Uploader, AppState},
    store::{ChatRow, ParticipantRow},
};

/// Route of [`upload_handler`].
pub const UPLOAD_ROUTE: &str = "/instant-chat/{chat_id}/attachments";
/// Route of [`serve_handler`].
pub const SERVE_ROUTE: &str = "/instant-chat/{chat_id}/attachments/{id}";

/// `POST /instant-chat/<id>/attachments?client_id=<id>`, the file's bytes as
/// the body (the bytes decide its type).
///
/// Answers 201 with the new line ([`ChatMessage`]) as JSON, also sent live to
/// the chat; 200 with the earlier line for a retry. Errors: 404 unknown
/// chat, 410 ended or expired, 403 not in the chat, 429 (with `Retry-After`)
/// past [`crate::limits::UPLOADS_BURST`] quick uploads, 400 bad client id or
/// file, 413 too big, 415 not a type Roomlink takes, 503 memory full (chats
/// without history), 500 on a storage fault (nothing is kept).
pub async fn upload_handler(
    State(state): State<AppState>,
    session: Session,
    Path(chat_id): Path<String>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    upload_response(upload(&state, &session, &chat_id, query, &headers, body).await)
}

/// The open chat `chat_id` and the participant behind the request.
/// Errors: 404 / 410 as [`ssr::open_chat`], 403 not in the chat.
async fn participant(
    state: &AppState,
    session: &Session,
    chat_id: &str,
    headers: &HeaderMap,
) -> Result<(ChatRow, ParticipantRow), AppError> {
    let chat = ssr::open_chat(state, chat_id).await?;
    let user_id = user_id_in(session).await?;
    let me = ssr::identify(state, &chat.id, headers, user_id).await?;
    let me = me.ok_or(AppError::Forbidden(Refusal::JoinWithNameFirst))?;
    Ok((chat, me))
}

async fn upload(
    state: &AppState,
    session: &Session,
    chat_id: &str,
    query: UploadQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<(ChatMessage, bool), AppError> {
    let (chat, me) = participant(state, session, chat_id, headers).await?;
    let uploader = me.user_id.map_or(Uploader::Guest(me.id), Uploader::User);
    state.rate_limits.upload(uploader).map_err(AppError::TooManyRequests)?;
    let client_id = checked_client_id(query.client_id)?;
    let (bytes, checked) = read_upload(headers, body).await?;
    if !chat.keep_history {
        let file = MemoryUpload {
            kind: checked.kind,
            content_type: checked.content_type,
            dimensions: checked.dimensions,
            duration_ms: checked.duration_ms,
            bytes,
        };
        let line = NewLine::ChatFile { chat: &chat, author: &me, file: ChatFile::Held(file) };
        return Ok(state.timeline().post(line, &client_id).await?);
    }

    let saved = save_upload(&state.settings.data_dir, &bytes).await?;
    let file = stored_file(&checked, bytes.len(), &saved.key);
    let line = NewLine::ChatFile { chat: &chat, author: &me, file: ChatFile::Stored(&file) };
    let posted = state.timeline().post(line, &client_id).await;
    settle(posted, &saved.path).await
}

/// `GET /instant-chat/<id>/attachments/<file id>`: the file, with its
/// sniffed type and the headers of [`file_headers`].
///
/// Errors: 404 for an unknown file, for people not in the chat, and for a
/// file of a chat without history that was sent before the viewer joined or
/// dropped from memory; 410 once the chat is over.
pub async fn serve_handler(
    State(state): State<AppState>,
    session: Session,
    Path((chat_id, id)): Path<(String, i64)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (chat, me) = match participant(&state, &session, &chat_id, &headers).await {
        Ok(found) => found,
        Err(AppError::Forbidden(_)) => return AppError::into_response(AppError::NotFound),
        Err(err) => return AppError::into_response(err),
    };
    if chat.keep_history {
        return match state.store.instant_lines().attachment(&chat.id, id).await {
            Ok(Some(row)) => {
                serve_file(&uploads_dir(&state.settings.data_dir).join(&row.storage_key), &row.content_type, request).await
            }
            Ok(None) => AppError::into_response(AppError::NotFound),
            Err(err) => AppError::into_response(err.into()),
        };
    }
    let file = state.memory.file(&chat.id, id).filter(|_| id >= me.first_seen_id);
    let Some(file) = file else { return AppError::into_response(AppError::NotFound) };
    let mut response = file.bytes.into_response();
    file_headers(&mut response, file.content_type);
    response
}
