//! Edits and deletions of room messages, and deletions of instant chat
//! lines, through the timeline service: the change line takes its place in
//! the topic's id order and is published as any line is (see
//! [`crate::store::Messages::change`] and
//! [`crate::store::InstantLines::delete`] for the rules).

use super::{PostError, Timeline};
use crate::{
    clock::now_ms,
    live::{ChatMessage, Topic},
    store::{Change, Changed, ChatRow, ParticipantRow, StoreError},
};

impl Timeline<'_> {
    /// Edits or deletes message `target_id` of room `room_id` for member
    /// `actor_id` (sent with the tab's `client_id`), and publishes the edit
    /// or delete line in the room's id order, as [`Timeline::post`] does a
    /// line: tabs following the room apply it to the message, and a tab that
    /// was away gets it when it catches up. A deleted message's file is
    /// removed from `uploads` once the deletion is committed. Returns the
    /// change line and whether it is new (a retry returns the first).
    ///
    /// Errors: [`PostError::Store`], with the rules' refusals as
    /// [`StoreError::NotAllowed`] (see [`crate::store::Messages::change`]);
    /// nothing was changed or published.
    pub async fn change_message(
        &self,
        (room_id, actor_id): (i64, i64),
        target_id: i64,
        change: Change<'_>,
        client_id: &str,
        uploads: &std::path::Path,
    ) -> Result<(ChatMessage, bool), PostError> {
        let removed = std::sync::Mutex::new(None);
        let store = || async {
            let Changed { line, new, removed_file } =
                self.store.messages().change(room_id, actor_id, target_id, change, client_id, now_ms()).await?;
            *removed.lock().unwrap_or_else(|p| p.into_inner()) = removed_file;
            Ok::<_, StoreError>((line, new))
        };
        let changed = self.hub.store_and_publish(&Topic::Room(room_id), store).await?;
        remove_file(uploads, removed.into_inner().unwrap_or_else(|p| p.into_inner())).await;
        Ok(changed)
    }

    /// Deletes line `target_id` of instant chat `chat` for participant
    /// `actor` (their own line, or any when they host it; sent with the
    /// tab's `client_id`), and publishes the delete line in the chat's id
    /// order, as [`Timeline::change_message`] does in a room. In a chat with
    /// history the line's text and file row go in one transaction and its
    /// file from `uploads` after; without history, memory drops them (on
    /// every node, each applying the line the bus brings). Returns the
    /// delete line and whether it is new (a retry returns the first).
    ///
    /// Errors: [`PostError::Store`] with [`StoreError::NotAllowed`] and
    /// [`crate::store::WriteRefusal::LeftChat`], `MessageGone`, `NothingToEdit` or
    /// `NotYourMessage` (see [`crate::store::InstantLines::delete`]), or the
    /// store's; nothing was changed or published.
    pub async fn delete_chat_line(
        &self,
        chat: &ChatRow,
        actor: &ParticipantRow,
        target_id: i64,
        client_id: &str,
        uploads: &std::path::Path,
    ) -> Result<(ChatMessage, bool), PostError> {
        let topic = Topic::Chat(chat.id.clone());
        let memory = self.memory;
        if !chat.keep_history && self.hub.has_bus() {
            self.still_in_chat(chat, actor).await?;
            let draft = || {
                memory.draft_delete(actor, target_id, client_id, now_ms()).map_err(StoreError::NotAllowed)
            };
            let keep = |line: &ChatMessage| memory.replicate(&chat.id, line.clone());
            if let Some(announced) = self.hub.announce_unstored(&topic, draft, keep).await {
                return Ok(announced?);
            }
        }
        let removed = std::sync::Mutex::new(None);
        let delete = || async {
            let now = now_ms();
            if chat.keep_history {
                let Changed { line, new, removed_file } =
                    self.store.instant_lines().delete(&chat.id, actor.id, target_id, client_id, now).await?;
                *removed.lock().unwrap_or_else(|p| p.into_inner()) = removed_file;
                Ok::<_, StoreError>((line, new))
            } else {
                // As for a line: their row says whether they are still in.
                self.still_in_chat(chat, actor).await?;
                let id = self.memory_line_id().await?;
                memory.delete(actor, target_id, client_id, now, id).map_err(StoreError::NotAllowed)
            }
        };
        let deleted = self.hub.store_and_publish(&topic, delete).await?;
        remove_file(uploads, removed.into_inner().unwrap_or_else(|p| p.into_inner())).await;
        Ok(deleted)
    }
}

/// Removes a deleted message's file, `key` under `uploads`, once its row is
/// gone; a failure is logged (the start-up sweep removes it later).
async fn remove_file(uploads: &std::path::Path, key: Option<String>) {
    let Some(key) = key else { return };
    if let Err(err) = tokio::fs::remove_file(uploads.join(&key)).await {
        tracing::warn!(error = %err, file = %key, "removing a deleted message's file failed");
    }
}
