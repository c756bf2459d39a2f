//! Edits and deletions of room messages through the timeline service: the
//! change line takes its place in the room's id order and is published as
//! any line is (see [`crate::store::Messages::change`] for the rules).

use super::{PostError, Timeline};
use crate::{
    clock::now_ms,
    live::{ChatMessage, Topic},
    store::{Change, Changed, StoreError},
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
        let removed = removed.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(key) = removed {
            let path = uploads.join(&key);
            if let Err(err) = tokio::fs::remove_file(&path).await {
                // The row is gone, so the start-up sweep removes it later.
                tracing::warn!(error = %err, file = %key, "removing a deleted message's file failed");
            }
        }
        Ok(changed)
    }
}
