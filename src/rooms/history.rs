//! Older lines of a room or an instant chat, a page at a time: keyset
//! paging on the line id (never an offset, so lines arriving meanwhile
//! cannot shift a page).

use leptos::prelude::*;

use crate::{error::AppError, live::ChatMessage};
#[cfg(feature = "ssr")]
use crate::error::Refusal;

/// Up to 50 lines of `topic` (`room:<id>` or `chat:<id>`) older than
/// `before_id`, oldest first; fewer than 50 means there are no more. In an
/// instant chat without history, a participant gets nothing from before they
/// joined.
///
/// Errors: [`AppError::NotLoggedIn`], [`AppError::NotMember`] (rooms),
/// [`AppError::Forbidden`] (chats, when not in it), [`AppError::Invalid`] for a bad topic.
#[server(endpoint = "older_lines")]
pub async fn older_lines(topic: String, before_id: i64) -> Result<Vec<ChatMessage>, AppError> {
    use crate::{instant::ssr as instant, limits::ROOM_HISTORY_PAGE, live::Topic};
    let topic = Topic::try_from(topic).map_err(|_| AppError::Invalid(Refusal::UnknownTopic))?;
    let state = crate::context::state()?;
    match topic {
        Topic::Room(room_id) => {
            let me = crate::accounts::ssr::require_user().await?;
            let rights = state.store.rooms().rights_of(room_id, me.id).await?.ok_or(AppError::NotMember)?;
            let mut lines = state.store.messages().before(room_id, before_id, ROOM_HISTORY_PAGE).await?;
            if !rights.can_moderate {
                lines.iter_mut().for_each(ChatMessage::hide_moderation_details);
            }
            Ok(lines)
        }
        Topic::Chat(chat_id) => {
            let chat = state.store.instant_chats().get(&chat_id).await?.ok_or(AppError::ChatNotFound)?;
            let user_id = crate::accounts::ssr::current_user().await?.map(|u| u.id);
            let headers = crate::context::request_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
            let me = instant::identify(&state, &chat.id, &headers, user_id)
                .await?
                .ok_or_else(|| AppError::Forbidden(Refusal::JoinChatFirst))?;
            Ok(state.timeline().chat_before(&chat, &me, before_id, ROOM_HISTORY_PAGE).await?)
        }
    }
}
