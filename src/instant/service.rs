//! Server-side instant chat logic shared by the server functions and the
//! file routes: who is asking, whether the chat is open, and the sweeper.
//! Lines go through the timeline service ([`crate::live::timeline`]).

use std::time::Duration;

use axum::http::HeaderMap;

use super::is_valid_chat_id;
use crate::{
    clock::now_ms,
    context::AppState,
    error::AppError,
    live::Topic,
    store::{ChatRow, ParticipantRow, StoreError, Swept},
};

pub use crate::live::socket::{ENDED_BY_HOST, EXPIRED, LEFT_BY_GUEST};

/// The participant making a request in `chat_id`: from their signed cookie,
/// else from their logged-in account. `None`: a stranger.
/// (See [`crate::live::guest_identity::identify`].) Errors: the store's.
pub async fn identify(
    state: &AppState,
    chat_id: &str,
    headers: &HeaderMap,
    user_id: Option<i64>,
) -> Result<Option<ParticipantRow>, StoreError> {
    crate::live::guest_identity::identify(&state.guest_keys, &state.store, chat_id, headers, user_id).await
}

/// The chat if it exists and is open. Errors: 404 unknown, 410 ended or expired.
pub async fn open_chat(state: &AppState, id: &str) -> Result<ChatRow, AppError> {
    if !is_valid_chat_id(id) {
        return Err(AppError::ChatNotFound);
    }
    let chat = state.store.instant_chats().get(id).await?.ok_or(AppError::ChatNotFound)?;
    if chat.ended_at.is_some() {
        return Err(AppError::ChatEnded(ENDED_BY_HOST.into()));
    }
    if !chat.is_open(now_ms()) {
        return Err(AppError::ChatEnded(EXPIRED.into()));
    }
    Ok(chat)
}

/// Deletes ended and expired chats now with their files, tells their
/// followers and forgets their in-memory lines and files; logs what it deleted.
pub async fn sweep_once(state: &AppState) -> Result<Swept, StoreError> {
    let swept = state.store.instant_chats().sweep(now_ms()).await?;
    for chat_id in &swept.chat_ids {
        state.hub.end(&Topic::Chat(chat_id.clone()), EXPIRED);
        state.memory.forget(chat_id);
    }
    let uploads = crate::attachments::http::uploads_dir(&state.settings.data_dir);
    for key in &swept.storage_keys {
        crate::attachments::http::remove(&uploads.join(key)).await;
    }
    if !swept.chat_ids.is_empty() {
        tracing::info!(
            chats = swept.chat_ids.len(),
            files = swept.storage_keys.len(),
            participants = swept.participants,
            messages = swept.messages,
            "deleted ended and expired instant chats"
        );
    }
    Ok(swept)
}

/// Runs [`sweep_once`] now, before the server takes requests (so nothing
/// expired lingers after a restart), and then every `every`, for as long as
/// the runtime lives.
pub async fn start_sweeper(state: AppState, every: Duration) {
    if let Err(err) = sweep_once(&state).await {
        tracing::error!(error = %err, "instant chat sweep at start-up failed");
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = sweep_once(&state).await {
                tracing::error!(error = %err, "instant chat sweep failed");
            }
        }
    });
}
