//! An instant chat's host at work (issue 40): locking the chat so nobody
//! new joins, and removing a participant for good.

use super::{instant_chats::InstantChats, StoreError};

impl InstantChats<'_> {
    /// Removes participant `participant_id` from `chat_id` at `now_ms`:
    /// they are gone (their name is freed, their lines stay) and marked
    /// removed, so neither their browser nor their account joins again
    /// ([`InstantChats::was_removed`]). The host cannot be removed. Returns
    /// false when there was nobody (else) to remove.
    pub async fn remove(&self, chat_id: &str, participant_id: i64, now_ms: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE instant_participants SET left_at = $3, removed_at = $3, name_key = NULL
             WHERE chat_id = $1 AND id = $2 AND left_at IS NULL AND is_host = 0",
        )
        .bind(chat_id)
        .bind(participant_id)
        .bind(now_ms)
        .execute(self.pool)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    /// True when the host removed the participant `participant_id` (the one
    /// a browser's cookie names, if any) or the account `user_id` (if any)
    /// from `chat_id`.
    pub async fn was_removed(&self, chat_id: &str, participant_id: Option<i64>, user_id: Option<i64>) -> Result<bool, StoreError> {
        let found = sqlx::query_scalar::<_, i64>(
            "SELECT 1 FROM instant_participants
             WHERE chat_id = $1 AND removed_at IS NOT NULL AND (id = $2 OR user_id = $3)",
        )
        .bind(chat_id)
        .bind(participant_id)
        .bind(user_id)
        .fetch_optional(self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Locks (`true`) or unlocks `chat_id`: while locked, nobody new joins
    /// ([`super::JoinRefusal::Locked`]). Returns false for no such chat.
    pub async fn set_locked(&self, chat_id: &str, locked: bool) -> Result<bool, StoreError> {
        let changed = sqlx::query("UPDATE instant_chats SET locked = $2 WHERE id = $1")
            .bind(chat_id)
            .bind(i64::from(locked))
            .execute(self.pool)
            .await?;
        Ok(changed.rows_affected() == 1)
    }
}
