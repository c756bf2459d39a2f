//! The server functions of instant chats: start, read the page, join, leave, end.
//!
//! Each state change is a POST (server functions refuse GET) and works from a
//! plain HTML form too: success redirects to the page to show next.

use leptos::prelude::*;

use super::InstantChatPage;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::Refusal;
#[cfg(feature = "ssr")]
use {
    super::{
        chat_path, check_display_name, check_title,
        ssr::{enter, set_cookie, visit, Visit},
        InstantChatInfo, Participant,
    },
    crate::{
        clock::now_ms,
        live::{timeline::NewLine, MessageKind, Topic},
        store::{tag_of, ChatRow, JoinRefusal, NewParticipant},
    },
};

/// Starts an instant chat and goes to it. The starter is its host: their
/// account name when logged in, else `name` (or "Host" when left empty).
/// `keep_history` is a checkbox: present means on.
///
/// Rate-limited per client address (see [`crate::limits::INSTANT_CHAT_STARTS_BURST`]).
/// Errors: [`AppError::Invalid`] for a bad title or name.
#[server(endpoint = "start_instant_chat")]
pub async fn start_instant_chat(title: String, name: String, keep_history: Option<String>) -> Result<String, AppError> {
    let state = crate::context::state()?;
    let title = check_title(&title).map_err(AppError::Invalid)?;
    if keep_history.is_none() && state.memory.is_full() {
        tracing::warn!("memory for chats without history is full; a start was refused");
        return Err(AppError::Unavailable(Refusal::NoRoomForChats));
    }
    let account = crate::accounts::ssr::current_user().await?;
    let name = match &account {
        Some(user) => user.username.clone(),
        None if name.trim().is_empty() => "Host".to_string(),
        None => check_display_name(&name).map_err(AppError::Invalid)?,
    };
    let now = now_ms();
    let mut attempt = 0;
    let (chat, host) = loop {
        let chat = ChatRow {
            id: nanoid::nanoid!(crate::limits::INSTANT_CHAT_ID_CHARS),
            title: title.clone(),
            keep_history: keep_history.is_some(),
            created_at: now,
            ends_at: now + i64::from(state.settings.instant_chat_hours) * 3_600_000,
            ended_at: None,
        };
        let host = NewParticipant { name: &name, user_id: account.as_ref().map(|u| u.id) };
        match state.store.instant_chats().create(&chat, host).await {
            Ok(host) => break (chat, host),
            // 96 random bits: a clash is as good as impossible, but cheap to survive.
            Err(crate::store::StoreError::Conflict(_)) if attempt < 3 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    };
    enter(&state, &chat, &host).await?;
    tracing::info!(keep_history = chat.keep_history, "instant chat started");
    leptos_axum::redirect(&chat_path(&chat.id));
    Ok(chat.id)
}

/// The chat page's data. Reads only. Lines are included only for people in the chat.
///
/// Errors: [`AppError::ChatNotFound`] (404) for unknown or deleted chats,
/// [`AppError::ChatEnded`] (410) for ended or expired ones.
#[server(endpoint = "instant_chat_page")]
pub async fn get_instant_chat_page(id: String) -> Result<InstantChatPage, AppError> {
    let Visit { state, chat, account, me } = visit(&id).await?;
    let lines = match &me {
        Some(_) if chat.keep_history => {
            state.store.instant_lines().recent(&chat.id, crate::limits::ROOM_HISTORY_PAGE).await?
        }
        Some(me) => {
            let mut lines = state.timeline().chat_after(&chat, me.first_seen_id - 1, usize::MAX).await?;
            let skip = lines.len().saturating_sub(crate::limits::ROOM_HISTORY_PAGE);
            lines.drain(..skip);
            lines
        }
        None => Vec::new(),
    };
    let (host_name, participants, locked) = state.store.instant_chats().head_count(&chat.id).await?;
    let members = match &me {
        Some(_) => state.store.instant_chats().members(&chat.id).await?,
        None => Vec::new(),
    };
    let origin = crate::context::public_origin(&state.settings);
    Ok(InstantChatPage {
        chat: InstantChatInfo {
            url: format!("{origin}{}", chat_path(&chat.id)),
            id: chat.id,
            title: chat.title,
            host_name,
            participants,
            max_participants: state.settings.instant_chat_max_participants,
            ends_at_ms: chat.ends_at,
            keep_history: chat.keep_history,
            locked,
        },
        me: me.map(|p| Participant { id: p.id, tag: tag_of(p.is_host, p.user_id), name: p.name }),
        account_name: account.map(|u| u.username),
        lines,
        members,
    })
}

/// Joins a chat under `name` (ignored for logged-in people, who join under
/// their username) and goes back to its page. Someone already in is left as is.
///
/// Errors: [`AppError::Invalid`] for a bad name, [`AppError::NameTaken`],
/// [`AppError::ChatFull`], [`AppError::ChatNotFound`], [`AppError::ChatEnded`].
#[server(endpoint = "join_instant_chat")]
pub async fn join_instant_chat(id: String, name: String) -> Result<(), AppError> {
    let Visit { state, chat, account, me } = visit(&id).await?;
    if me.is_none() {
        // Whom the host removed stays out: the browser by its cookie (which
        // still names them), the account by its id.
        let headers = crate::context::request_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
        let cookie = crate::live::guest_identity::token_in(&headers, &chat.id).and_then(|t| state.guest_keys.verify(&t, &chat.id));
        if state.store.instant_chats().was_removed(&chat.id, cookie, account.as_ref().map(|u| u.id)).await? {
            return Err(AppError::Forbidden(Refusal::RemovedByHost));
        }
        let name = match &account {
            Some(user) => user.username.clone(),
            None => check_display_name(&name).map_err(AppError::Invalid)?,
        };
        let who = NewParticipant { name: &name, user_id: account.as_ref().map(|u| u.id) };
        let max = state.settings.instant_chat_max_participants;
        let joined = state.store.instant_chats().join(&chat.id, who, max, now_ms()).await?;
        let me = joined.map_err(|refusal| match refusal {
            JoinRefusal::NameTaken => AppError::NameTaken,
            JoinRefusal::Full(max) => AppError::ChatFull(max),
            JoinRefusal::Closed => AppError::ChatEnded(Refusal::ChatExpired),
            JoinRefusal::Locked => AppError::Forbidden(Refusal::ChatLocked),
        })?;
        enter(&state, &chat, &me).await?;
    }
    leptos_axum::redirect(&chat_path(&chat.id));
    Ok(())
}

/// Leaves a chat: a "left" line is shown, the name is freed, the cookie is
/// dropped, and the browser goes home. The host ends the chat instead.
///
/// Errors: [`AppError::Forbidden`] when not in the chat or the host.
#[server(endpoint = "leave_instant_chat")]
pub async fn leave_instant_chat(id: String) -> Result<(), AppError> {
    let Visit { state, chat, me, .. } = visit(&id).await?;
    let me = me.ok_or(AppError::Forbidden(Refusal::NotInChat))?;
    if me.is_host {
        return Err(AppError::Forbidden(Refusal::HostEndsInstead));
    }
    let line = NewLine::ChatLine { chat: &chat, author: &me, kind: MessageKind::Left, body: "" };
    state.timeline().post(line, "sys:left").await?;
    state.store.instant_chats().leave(me.id, now_ms()).await?;
    // Every open tab of theirs stops following the chat at once: a line
    // sent on it now would go out under a name someone else may take.
    state.hub.end_for(&Topic::Chat(chat.id.clone()), me.id, Refusal::LeftChat);
    set_cookie(&state, &chat.id, "", 0);
    leptos_axum::redirect("/");
    Ok(())
}

/// Ends a chat for everyone, now: every open tab is told "The host ended
/// this chat." and disconnected, and the link shows that it has ended.
///
/// Errors: [`AppError::Forbidden`] unless the host asks.
#[server(endpoint = "end_instant_chat")]
pub async fn end_instant_chat(id: String) -> Result<(), AppError> {
    let Visit { state, chat, me, .. } = visit(&id).await?;
    if !me.is_some_and(|p| p.is_host) {
        return Err(AppError::Forbidden(Refusal::OnlyHostEnds));
    }
    if state.store.instant_chats().end(&chat.id, now_ms()).await? {
        state.hub.end(&Topic::Chat(chat.id.clone()), Refusal::EndedByHost);
        tracing::info!("instant chat ended by its host");
    }
    leptos_axum::redirect(&chat_path(&chat.id));
    Ok(())
}
