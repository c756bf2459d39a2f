//! The two HTTP endpoints of attachments: upload to a room, and fetch a file.
//!
//! Both need a logged-in member of the room. Uploads are `POST`s, so the
//! cross-site check in [`crate::server::csrf`] covers them like every other
//! state change. Errors are the JSON form of [`AppError`] with its status, as
//! server functions answer.

use std::path::{Path as FsPath, PathBuf};

use axum::{
    body::{Body, Bytes},
    extract::{Path, Query, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use rand::{rngs::OsRng, RngCore};
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;
use tower_sessions::Session;

use super::{
    human_size,
    inspect::{inspect, Inspected},
};
use crate::{
    accounts::ssr::user_id_in,
    error::{AppError, Refusal},
    limits::{IMAGE_MAX_BYTES, VOICE_MAX_BYTES},
    live::{
        is_valid_client_id,
        timeline::{NewLine, PostError},
        ChatMessage,
    },
    context::{rate_limits::Uploader, AppState},
    store::{NewAttachment, StoredFile},
};

/// Route of [`upload_handler`].
pub const UPLOAD_ROUTE: &str = "/rooms/{room_id}/attachments";
/// Route of [`serve_handler`].
pub const SERVE_ROUTE: &str = "/attachments/{id}";

/// The query of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// The tab-made message id (see [`crate::live::ClientEvent::Send`]); a
    /// retried upload with the same id is stored once.
    pub client_id: Option<String>,
}

pub use crate::context::settings::uploads_dir;

/// `POST /rooms/<room id>/attachments?client_id=<id>`, the file's bytes as
/// the body (any `Content-Type`; the bytes decide).
///
/// Answers 201 with the new [`crate::live::ChatMessage`] as JSON, which is
/// also sent live to everyone in the room; 200 with the earlier message for a
/// retry. Errors: 401 not logged in, 403 not a member, 429 (with
/// `Retry-After`) past [`crate::limits::UPLOADS_BURST`] quick uploads, 400 bad
/// client id or a file [`inspect`] refuses, 413 too big, 415 not a type
/// Roomlink takes, 500 on a storage fault (nothing is kept).
pub async fn upload_handler(
    State(state): State<AppState>,
    session: Session,
    Path(room_id): Path<i64>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    upload_response(upload(&state, &session, room_id, query, &headers, body).await)
}

/// The answer to an upload: 201 with a new line, 200 with a retry's earlier
/// one, or the error as JSON with its status.
pub(crate) fn upload_response(posted: Result<(ChatMessage, bool), AppError>) -> Response {
    match posted {
        Ok((message, fresh)) => {
            let status = if fresh { StatusCode::CREATED } else { StatusCode::OK };
            (status, Json(message)).into_response()
        }
        Err(err) => AppError::into_response(err),
    }
}

/// What posting a file saved at `path` came to: for a retry (the first
/// upload's file is the one kept) or a failure, the file is deleted again.
pub(crate) async fn settle(
    posted: Result<(ChatMessage, bool), PostError>,
    path: &FsPath,
) -> Result<(ChatMessage, bool), AppError> {
    if !matches!(posted, Ok((_, true))) {
        remove(path).await;
    }
    Ok(posted?)
}

async fn upload(
    state: &AppState,
    session: &Session,
    room_id: i64,
    query: UploadQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<(ChatMessage, bool), AppError> {
    let user_id = user_id_in(session).await?.ok_or(AppError::NotLoggedIn)?;
    let rights = state.store.rooms().rights_of(room_id, user_id).await?.ok_or(AppError::NotMember)?;
    if !rights.can_write {
        return Err(AppError::Forbidden(Refusal::Muted));
    }
    state.rate_limits.upload(Uploader::User(user_id)).map_err(AppError::TooManyRequests)?;
    let client_id = checked_client_id(query.client_id)?;
    let (bytes, checked) = read_upload(headers, body).await?;

    let saved = save_upload(&state.settings.data_dir, &bytes).await?;
    let new = NewAttachment { room_id, uploader_id: user_id, file: stored_file(&checked, bytes.len(), &saved.key) };
    let posted = state.timeline().post(NewLine::RoomFile(&new), &client_id).await;
    settle(posted, &saved.path).await
}

/// The upload's message id, if it is a valid one. Errors: 400.
pub(crate) fn checked_client_id(client_id: Option<String>) -> Result<String, AppError> {
    client_id
        .filter(|id| is_valid_client_id(id))
        .ok_or(AppError::Invalid(Refusal::BadMessageId))
}

/// Reads an upload's body (refusing it early when `Content-Length` is
/// already too big) and works out what it is from its bytes.
///
/// Errors: 413 past [`VOICE_MAX_BYTES`] or its kind's limit, 415 not a type
/// Roomlink takes, 400 a file [`inspect`] refuses, 500 if inspecting panicked.
pub(crate) async fn read_upload(headers: &HeaderMap, body: Body) -> Result<(Bytes, Inspected), AppError> {
    let too_large = || {
        AppError::TooLarge(Refusal::UploadTooLarge {
            max: human_size(VOICE_MAX_BYTES as u64),
            image_max: human_size(IMAGE_MAX_BYTES as u64),
        })
    };
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > VOICE_MAX_BYTES as u64) {
        return Err(too_large());
    }
    let bytes: Bytes = axum::body::to_bytes(body, VOICE_MAX_BYTES).await.map_err(|_| too_large())?;
    let checked = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || inspect(&bytes)).await.map_err(|e| {
            tracing::error!(error = %e, "inspecting an upload panicked");
            AppError::Internal
        })??
    };
    Ok((bytes, checked))
}

/// The row facts of an inspected file of `size` bytes kept under `key`.
pub(crate) fn stored_file<'a>(checked: &Inspected, size: usize, key: &'a str) -> StoredFile<'a> {
    StoredFile {
        kind: checked.kind,
        content_type: checked.content_type,
        size_bytes: size as i64,
        dimensions: checked.dimensions,
        duration_ms: checked.duration_ms,
        storage_key: key,
    }
}

/// A file just written to the uploads folder, on no line yet.
pub(crate) struct SavedUpload {
    /// Its name under the uploads folder ([`storage_key`]).
    pub key: String,
    /// Where it is.
    pub path: PathBuf,
}

/// Writes an upload's `bytes` under a fresh [`storage_key`] in the uploads
/// folder of `data_dir` ([`save`]). Errors: 500 on a storage fault (nothing
/// is kept).
pub(crate) async fn save_upload(data_dir: &FsPath, bytes: &[u8]) -> Result<SavedUpload, AppError> {
    let dir = uploads_dir(data_dir);
    let key = storage_key();
    let path = dir.join(&key);
    save(&dir, &path, bytes).await?;
    Ok(SavedUpload { key, path })
}

/// 128 random bits as 32 hex characters: a file name nobody can guess.
fn storage_key() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the file next to its final name, then renames it, so a crash
/// never leaves half a file under a real key.
async fn save(dir: &FsPath, path: &FsPath, bytes: &[u8]) -> Result<(), AppError> {
    let fault = |e: std::io::Error| {
        tracing::error!(error = %e, dir = %dir.display(), "saving an upload failed");
        AppError::Internal
    };
    tokio::fs::create_dir_all(dir).await.map_err(fault)?;
    let partial = path.with_extension("part");
    tokio::fs::write(&partial, bytes).await.map_err(fault)?;
    tokio::fs::rename(&partial, path).await.map_err(fault)
}

pub(crate) async fn remove(path: &FsPath) {
    if let Err(e) = tokio::fs::remove_file(path).await {
        tracing::warn!(error = %e, "removing an unused upload failed");
    }
}

/// `GET /attachments/<id>`: the file, to members of its room only, with its
/// sniffed type, `nosniff`, a sandboxing CSP, and range requests (so voice
/// messages can be seeked).
///
/// Errors: 401 not logged in; 404 for an unknown id and for non-members
/// alike, so ids say nothing to outsiders.
pub async fn serve_handler(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let row = match find(&state, &session, id).await {
        Ok(row) => row,
        Err(err) => return AppError::into_response(err),
    };
    let path = uploads_dir(&state.settings.data_dir).join(&row.storage_key);
    serve_file(&path, &row.content_type, request).await
}

/// The file at `path` (with range requests, so voice messages can be
/// seeked), served as `content_type` with [`file_headers`]; 404 when missing.
pub(crate) async fn serve_file(path: &FsPath, content_type: &str, request: Request) -> Response {
    let mut response = match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        tracing::error!(file = %path.display(), "an attachment's file is missing");
        return AppError::into_response(AppError::NotFound);
    }
    file_headers(&mut response, content_type);
    response
}

/// Sets the headers every attachment is served with: its sniffed type,
/// `nosniff`, `inline`, a sandboxing CSP, and private caching only (files
/// never change under an id, but they are for members only).
pub(crate) fn file_headers(response: &mut Response, content_type: &str) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
}

async fn find(state: &AppState, session: &Session, id: i64) -> Result<crate::store::AttachmentRow, AppError> {
    let user_id = user_id_in(session).await?.ok_or(AppError::NotLoggedIn)?;
    let row = state.store.attachments().get(id).await?.ok_or(AppError::NotFound)?;
    state.store.rooms().role_of(row.room_id, user_id).await?.ok_or(AppError::NotFound)?;
    Ok(row)
}

