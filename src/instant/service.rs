//! Server-side instant chat logic shared by the server functions and the
//! live socket: who is asking, writing lines (to the database or to memory,
//! by the chat's history setting), reading them back, and the sweeper.

use std::time::Duration;

use axum::{extract::ws::Utf8Bytes, http::HeaderMap};

use super::{identity::token_in, is_valid_chat_id};
use crate::{
    error::AppError,
    live::{hub::encode, ChatMessage, MessageKind, ServerEvent, Topic},
    clock::now_ms,
    context::AppState,
    store::{ChatRow, ParticipantRow, StoreError, Swept, WriteRefusal},
};

/// What followers of an expired chat are told.
pub const EXPIRED: &str = "This chat has expired.";
/// What followers of a chat the host ended are told.
pub const ENDED_BY_HOST: &str = "The host ended this chat.";

/// What the open tabs of a guest who left are told as they stop following
/// the chat.
pub const LEFT_BY_GUEST: &str = "You left this chat.";

/// The participant making a request in `chat_id`: from their signed cookie,
/// else from their logged-in account. `None`: a stranger.
pub async fn identify(
    state: &AppState,
    chat_id: &str,
    headers: &HeaderMap,
    user_id: Option<i64>,
) -> Result<Option<ParticipantRow>, StoreError> {
    let chats = state.store.instant_chats();
    if let Some(id) = token_in(headers, chat_id).and_then(|t| state.guest_keys.verify(&t, chat_id)) {
        if let Some(p) = chats.participant(chat_id, id).await? {
            return Ok(Some(p));
        }
    }
    match user_id {
        Some(user_id) => chats.participant_for_user(chat_id, user_id).await,
        None => Ok(None),
    }
}

/// The chat `chat_id` and the participant making a request in it, in one
/// read: as [`identify`] finds them, from their signed cookie, else from
/// their logged-in account. `None`: no such chat.
pub async fn chat_and_identity(
    state: &AppState,
    chat_id: &str,
    headers: &HeaderMap,
    user_id: Option<i64>,
) -> Result<Option<(ChatRow, Option<ParticipantRow>)>, StoreError> {
    let participant_id = token_in(headers, chat_id).and_then(|t| state.guest_keys.verify(&t, chat_id));
    state.store.instant_chats().with_participant(chat_id, participant_id, user_id).await
}

/// Adds a line by `author` to `chat` and publishes it to the chat's
/// followers, in order. Chats with history store it; the others keep it in
/// memory only. A repeated `(author, client_id)` returns the first line with `false`.
pub async fn append(
    state: &AppState,
    chat: &ChatRow,
    author: &ParticipantRow,
    kind: MessageKind,
    client_id: &str,
    body: &str,
) -> Result<(ChatMessage, bool), StoreError> {
    let topic = Topic::Chat(chat.id.clone());
    if !chat.keep_history && state.hub.has_bus() {
        // Several nodes: the bus numbers the line under the chat's lock
        // across nodes; a guest who left is refused just before.
        still_in_chat(state, chat, author).await?;
        let draft = || state.memory.draft(author, kind, client_id, body, now_ms());
        let keep = |line: &ChatMessage| state.memory.replicate(&chat.id, line.clone());
        if let Some(announced) = state.hub.announce_unstored(&topic, draft, keep).await {
            return announced;
        }
    }
    state
        .hub
        .store_and_publish(&topic, || async {
            let now = now_ms();
            if chat.keep_history {
                state.store.instant_lines().insert(&chat.id, author.id, kind, client_id, body, now).await
            } else {
                // Memory keeps no participants: their row says whether they
                // are still in, read under the chat's lock, so a line read
                // after a leave committed is refused whatever the socket
                // believes (as the INSERT of a chat with history does).
                still_in_chat(state, chat, author).await?;
                let id = memory_line_id(state).await?;
                Ok(state.memory.append(author, kind, client_id, body, now, id))
            }
        })
        .await
}

/// `Ok` while `author` has not left `chat`. Errors:
/// [`StoreError::NotAllowed`] with [`WriteRefusal::LeftChat`] once they
/// left (or the host took them out), else the store's.
async fn still_in_chat(state: &AppState, chat: &ChatRow, author: &ParticipantRow) -> Result<(), StoreError> {
    match state.store.instant_chats().participant(&chat.id, author.id).await? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotAllowed(WriteRefusal::LeftChat)),
    }
}

/// The id the next in-memory line must take: with several nodes, the next
/// from PostgreSQL (so that ids grow in one order on every node, see
/// [`crate::store::InstantChats::next_memory_line_id`]); on one server 0,
/// for "the chat's own next id". Call under the chat's lock. Errors: the store's.
pub async fn memory_line_id(state: &AppState) -> Result<i64, StoreError> {
    if state.store.backend() == crate::store::Backend::Sqlite {
        return Ok(0);
    }
    state.store.instant_chats().next_memory_line_id().await
}

/// Up to `limit` lines of `chat` after `after_id`, oldest first.
pub async fn after(state: &AppState, chat: &ChatRow, after_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
    if chat.keep_history {
        state.store.instant_lines().after(&chat.id, after_id, limit).await
    } else {
        Ok(state.memory.after(&chat.id, after_id).into_iter().take(limit).collect())
    }
}

/// What a tab of `me` following `chat` is sent to catch up after `after_id`:
/// up to `limit` lines as `(id, live frame)`, oldest first. In a chat
/// without history, nothing from before `me`'s "joined" line (as on the
/// chat page), whatever `after_id` the tab asks from; those frames are
/// encoded once and shared by every tab ([`crate::instant::memory::MemoryLines::frames_after`]).
/// Errors: the database's, for chats with history.
pub async fn catch_up(
    state: &AppState,
    chat: &ChatRow,
    me: &ParticipantRow,
    after_id: i64,
    limit: usize,
) -> Result<Vec<(i64, Utf8Bytes)>, StoreError> {
    if chat.keep_history {
        let lines = state.store.instant_lines().after(&chat.id, after_id, limit).await?;
        return Ok(lines.into_iter().map(|message| (message.id, encode(&ServerEvent::Message { message }))).collect());
    }
    Ok(state.memory.frames_after(&chat.id, after_id.max(me.first_seen_id - 1), limit))
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
