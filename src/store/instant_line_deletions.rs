//! Deleting a line of an instant chat that keeps history (issue 40): its
//! author deletes their own, the host anyone's. As in member rooms
//! ([`super::message_changes`]), the deletion is a line of its own in the
//! chat's id sequence ([`MessageKind::Delete`], naming the line in
//! `target_id`), stored in the same transaction that turns the line into a
//! [`MessageKind::Deleted`] marker: its text and its file's row are gone,
//! and a tab that was away learns of it when it catches up. Chats without
//! history delete in memory ([`crate::live::timeline::memory`]).

use super::{
    begin_write,
    instant_lines::{by_client_id, InstantLines},
    Changed, Flag, StoreError, WriteRefusal,
};
use crate::types::timeline::MessageKind;

impl InstantLines<'_> {
    /// Deletes line `target_id` of chat `chat_id` for participant
    /// `actor_id`, and stores the delete line (sent with the tab's
    /// `client_id`), all in one transaction. The delete line's author is
    /// the deleted line's author, as in rooms.
    ///
    /// Rules, read in the transaction: the actor is still in the chat; the
    /// line is a message (text or file) of theirs, or they are the host.
    ///
    /// Errors: [`StoreError::NotAllowed`] with [`WriteRefusal::LeftChat`],
    /// [`WriteRefusal::MessageGone`] (no such line, or deleted already),
    /// [`WriteRefusal::NothingToEdit`] (a system line) or
    /// [`WriteRefusal::NotYourMessage`]; nothing was changed.
    pub async fn delete(
        &self,
        chat_id: &str,
        actor_id: i64,
        target_id: i64,
        client_id: &str,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        let target = sqlx::query_as::<_, (i64, String, Option<i64>, Option<String>)>(
            "SELECT m.participant_id, m.kind, m.attachment_id, a.storage_key
             FROM instant_messages m LEFT JOIN instant_attachments a ON a.id = m.attachment_id
             WHERE m.id = $1 AND m.chat_id = $2",
        )
        .bind(target_id)
        .bind(chat_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((author_id, kind, attachment_id, storage_key)) = target else {
            return Err(StoreError::NotAllowed(WriteRefusal::MessageGone));
        };
        if let Some(earlier) = by_client_id(&mut *tx, author_id, client_id).await? {
            return Ok(Changed { line: earlier, new: false, removed_file: None });
        }
        let actor = sqlx::query_scalar::<_, Flag>(
            "SELECT is_host FROM instant_participants WHERE id = $1 AND chat_id = $2 AND left_at IS NULL",
        )
        .bind(actor_id)
        .bind(chat_id)
        .fetch_optional(&mut *tx)
        .await?;
        let refuse = |why| Err(StoreError::NotAllowed(why));
        let Some(Flag(is_host)) = actor else { return refuse(WriteRefusal::LeftChat) };
        match MessageKind::from_name(&kind) {
            MessageKind::Text => {}
            MessageKind::Deleted => return refuse(WriteRefusal::MessageGone),
            _ => return refuse(WriteRefusal::NothingToEdit),
        }
        if author_id != actor_id && !is_host {
            return refuse(WriteRefusal::NotYourMessage);
        }
        sqlx::query("UPDATE instant_messages SET kind = 'deleted', body = '', attachment_id = NULL, actor_id = $1 WHERE id = $2")
            .bind(actor_id)
            .bind(target_id)
            .execute(&mut *tx)
            .await?;
        if let Some(attachment_id) = attachment_id {
            sqlx::query("DELETE FROM instant_attachments WHERE id = $1").bind(attachment_id).execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO instant_messages (chat_id, participant_id, kind, actor_id, target_id, client_id, body, created_at)
             VALUES ($1, $2, 'delete', $3, $4, $5, '', $6)",
        )
        .bind(chat_id)
        .bind(author_id)
        .bind(actor_id)
        .bind(target_id)
        .bind(client_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let line = by_client_id(&mut *tx, author_id, client_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        tx.commit().await?;
        Ok(Changed { line, new: true, removed_file: storage_key })
    }
}
