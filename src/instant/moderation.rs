//! What an instant chat's host does besides ending it (issue 40): remove
//! one participant, and lock the chat so that nobody new joins while it
//! runs (WhatsApp's and Telegram's "only admins can add members", for a
//! chat without accounts). Both are POSTs that work from plain forms too.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::{chat_path, ssr::visit},
    crate::{
        clock::now_ms,
        error::Refusal,
        live::{timeline::NewLine, MessageKind, Topic},
    },
};

/// Removes participant `participant_id` from the chat: everyone sees "was
/// removed by the host", their open tabs are told and let go, their guest
/// cookie stops working, and neither that browser nor their account can
/// join the chat again. Goes back to the chat's page.
///
/// Errors: [`AppError::Forbidden`] unless the host asks
/// ([`Refusal::OnlyHostRemoves`]); [`AppError::Invalid`] with
/// [`Refusal::NotInChatAnyMore`] for someone not in the chat (or the host);
/// [`AppError::ChatNotFound`], [`AppError::ChatEnded`].
#[server(endpoint = "remove_from_instant_chat")]
pub async fn remove_from_instant_chat(id: String, participant_id: i64) -> Result<(), AppError> {
    let super::ssr::Visit { state, chat, me, .. } = visit(&id).await?;
    if !me.is_some_and(|p| p.is_host) {
        return Err(AppError::Forbidden(Refusal::OnlyHostRemoves));
    }
    let chats = state.store.instant_chats();
    let them = chats.participant(&chat.id, participant_id).await?.filter(|p| !p.is_host);
    let Some(them) = them else { return Err(AppError::Invalid(Refusal::NotInChatAnyMore)) };
    // The line first, while they are still in: it is theirs, as a "left" line is.
    let line = NewLine::ChatLine { chat: &chat, author: &them, kind: MessageKind::Removed, body: "" };
    state.timeline().post(line, "sys:removed").await?;
    if chats.remove(&chat.id, them.id, now_ms()).await? {
        state.hub.end_for(&Topic::Chat(chat.id.clone()), them.id, Refusal::RemovedByHost);
        tracing::info!("a participant was removed from an instant chat by its host");
    }
    leptos_axum::redirect(&chat_path(&chat.id));
    Ok(())
}

/// Locks the chat (`locked` present in the form: on) so nobody new joins,
/// or unlocks it; those in it stay. Goes back to the chat's page.
///
/// Errors: [`AppError::Forbidden`] unless the host asks
/// ([`Refusal::OnlyHostLocks`]); [`AppError::ChatNotFound`], [`AppError::ChatEnded`].
#[server(endpoint = "lock_instant_chat")]
pub async fn lock_instant_chat(id: String, locked: Option<String>) -> Result<(), AppError> {
    let super::ssr::Visit { state, chat, me, .. } = visit(&id).await?;
    if !me.is_some_and(|p| p.is_host) {
        return Err(AppError::Forbidden(Refusal::OnlyHostLocks));
    }
    state.store.instant_chats().set_locked(&chat.id, locked.is_some()).await?;
    leptos_axum::redirect(&chat_path(&chat.id));
    Ok(())
}
