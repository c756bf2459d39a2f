//! The server half of instant chats, shared by the server functions
//! ([`super::api`]) and the file routes ([`super::files`]): who is asking,
//! whether the chat is open, entering a chat, and the sweeper.
//! Lines go through the timeline service ([`crate::live::timeline`]).

use std::time::Duration;

use axum::http::HeaderMap;

use super::is_valid_chat_id;
use crate::{
    clock::now_ms,
    context::AppState,
    error::{AppError, Refusal},
    live::{timeline::NewLine, MessageKind, Topic},
    store::{ChatRow, ParticipantRow, StoreError, Swept},
};


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
        return Err(AppError::ChatEnded(Refusal::EndedByHost));
    }
    if !chat.is_open(now_ms()) {
        return Err(AppError::ChatEnded(Refusal::ChatExpired));
    }
    Ok(chat)
}

/// Deletes ended and expired chats now with their files, tells their
/// followers and forgets their in-memory lines and files; logs what it deleted.
pub async fn sweep_once(state: &AppState) -> Result<Swept, StoreError> {
    let swept = state.store.instant_chats().sweep(now_ms()).await?;
    for chat_id in &swept.chat_ids {
        state.hub.end(&Topic::Chat(chat_id.clone()), Refusal::ChatExpired);
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

/// An open chat as the current request sees it.
pub(super) struct Visit {
    /// The server's state.
    pub state: AppState,
    /// The chat, open.
    pub chat: ChatRow,
    /// The logged-in account, if any.
    pub account: Option<crate::accounts::CurrentUser>,
    /// The participant behind the request (from its cookie or account), if in the chat.
    pub me: Option<ParticipantRow>,
}

/// The open chat `id` and who is asking. Errors: as [`open_chat`].
pub(super) async fn visit(id: &str) -> Result<Visit, AppError> {
    let state = crate::context::state()?;
    let chat = open_chat(&state, id).await?;
    let account = crate::accounts::ssr::current_user().await?;
    let headers = crate::context::request_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
    let me = identify(&state, &chat.id, &headers, account.as_ref().map(|u| u.id)).await?;
    Ok(Visit { state, chat, account, me })
}

/// Announces a new participant and hands them their signed cookie.
pub(super) async fn enter(state: &AppState, chat: &ChatRow, who: &ParticipantRow) -> Result<(), AppError> {
    let joined = NewLine::ChatLine { chat, author: who, kind: MessageKind::Joined, body: "" };
    let (line, _) = state.timeline().post(joined, "sys:joined").await?;
    state.store.instant_chats().set_first_seen(who.id, line.id).await?;
    let now = now_ms();
    let token = state.guest_keys.issue(&chat.id, who.id, chat.ends_at, now).map_err(|e| {
        tracing::error!(error = %e, "signing a guest cookie failed");
        AppError::Internal
    })?;
    set_cookie(state, &chat.id, &token, (chat.ends_at - now) / 1000);
    Ok(())
}

/// Sets the chat's signed guest cookie on the answer, for `max_age_secs`
/// (an empty token and 0 clear it); logs when it cannot.
pub(super) fn set_cookie(state: &AppState, chat_id: &str, token: &str, max_age_secs: i64) {
    let value = crate::live::guest_identity::set_cookie(chat_id, token, max_age_secs, state.settings.secure_cookies);
    crate::context::set_cookie(&value, "instant chat guest");
}
