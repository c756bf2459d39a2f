//! Edits and deletions of room messages (issue 40). Each is a line of its
//! own in the room's id sequence ([`MessageKind::Edit`],
//! [`MessageKind::Delete`], naming the message in `target_id`), stored in
//! the same transaction that changes the message itself: a tab that was
//! away learns of the change when it catches up after its newest id, and
//! history read later shows the message as it is now. Matrix does the same
//! with its replacement and redaction events (spec, "Event replacements" and
//! "Redactions"), and, as there, a deleted message's text and file are
//! removed, not hidden.

use super::{
    begin_write,
    messages::{by_client_id, Messages},
    rooms::RIGHTS,
    Flag, StoreError, WriteRefusal,
};
use crate::types::timeline::{ChatMessage, MessageKind};

/// What to do to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// Its author sets its text to this (already checked:
    /// [`crate::types::timeline::check_message_body`]).
    Edit(&'a str),
    /// Its author, or someone who moderates the room, deletes it.
    Delete,
}

/// A change that was stored.
#[derive(Debug)]
pub struct Changed {
    /// The edit or delete line, with its id in the room's sequence.
    pub line: ChatMessage,
    /// False when the same `(author, client_id)` was stored before (a
    /// retry): `line` is that first change, and nothing changed now.
    pub new: bool,
    /// The name under `uploads/` of the file the deleted message carried,
    /// whose row is gone: the caller removes it from disk once committed.
    pub removed_file: Option<String>,
}

impl Messages<'_> {
    /// Edits or deletes message `target_id` of room `room_id` for member
    /// `actor_id`, and stores the change line (sent with the tab's
    /// `client_id`), all in one transaction. The line's author is the
    /// message's author (a moderator's deletion names them as actor, shown
    /// only to those who moderate). Lines queued before this call are
    /// committed first, so the change takes an id above theirs.
    ///
    /// Rules, read in the transaction: the actor is an active member; an
    /// edit is the author's own text message, and a muted member cannot
    /// edit; a deletion is of the actor's own message or by someone who
    /// moderates the room (Discord's Manage Messages). System lines and
    /// deleted messages cannot be changed.
    ///
    /// Errors: [`StoreError::NotAllowed`] with [`WriteRefusal::NotMember`],
    /// [`WriteRefusal::MessageGone`], [`WriteRefusal::NotYourMessage`],
    /// [`WriteRefusal::NothingToEdit`] or [`WriteRefusal::Muted`]; nothing
    /// was changed.
    pub async fn change(
        &self,
        room_id: i64,
        actor_id: i64,
        target_id: i64,
        change: Change<'_>,
        client_id: &str,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        if let Some(writer) = self.writer {
            writer.settled().await;
        }
        let mut tx = begin_write(self.pool).await?;
        let target = sqlx::query_as::<_, (i64, String, Option<i64>, Option<String>)>(
            "SELECT m.author_id, m.kind, m.attachment_id, a.storage_key
             FROM messages m LEFT JOIN attachments a ON a.id = m.attachment_id
             WHERE m.id = $1 AND m.room_id = $2",
        )
        .bind(target_id)
        .bind(room_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((author_id, kind, attachment_id, storage_key)) = target else {
            return Err(StoreError::NotAllowed(WriteRefusal::MessageGone));
        };
        if let Some(earlier) = by_client_id(&mut *tx, author_id, client_id).await? {
            return Ok(Changed { line: earlier, new: false, removed_file: None });
        }
        let rights = sqlx::query_as::<_, (Flag, Flag, Flag)>(&format!(
            "SELECT {RIGHTS} FROM memberships m JOIN rooms r ON r.id = m.room_id
             WHERE m.room_id = $1 AND m.user_id = $2 AND m.status = 'active'"
        ))
        .bind(room_id)
        .bind(actor_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((can_write, _, can_moderate)) = rights else {
            return Err(StoreError::NotAllowed(WriteRefusal::NotMember));
        };
        let refuse = |why| Err(StoreError::NotAllowed(why));
        match MessageKind::from_name(&kind) {
            MessageKind::Text => {}
            MessageKind::Deleted => return refuse(WriteRefusal::MessageGone),
            _ => return refuse(WriteRefusal::NothingToEdit),
        }
        let own = author_id == actor_id;
        let (line_kind, body, actor) = match change {
            Change::Edit(_) if !own => return refuse(WriteRefusal::NotYourMessage),
            Change::Edit(_) if !can_write.0 => return refuse(WriteRefusal::Muted),
            Change::Edit(_) if attachment_id.is_some() => return refuse(WriteRefusal::NothingToEdit),
            Change::Delete if !own && !can_moderate.0 => return refuse(WriteRefusal::NotYourMessage),
            Change::Edit(body) => {
                sqlx::query("UPDATE messages SET body = $1, edited_at = $2 WHERE id = $3")
                    .bind(body)
                    .bind(now_ms)
                    .bind(target_id)
                    .execute(&mut *tx)
                    .await?;
                (MessageKind::Edit, body, None)
            }
            Change::Delete => {
                sqlx::query(
                    "UPDATE messages SET kind = 'deleted', body = '', attachment_id = NULL, edited_at = NULL, actor_id = $1
                     WHERE id = $2",
                )
                .bind(actor_id)
                .bind(target_id)
                .execute(&mut *tx)
                .await?;
                // The texts its edits carried go too.
                sqlx::query("UPDATE messages SET body = '' WHERE target_id = $1 AND kind = 'edit'")
                    .bind(target_id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(attachment_id) = attachment_id {
                    sqlx::query("DELETE FROM attachments WHERE id = $1").bind(attachment_id).execute(&mut *tx).await?;
                }
                (MessageKind::Delete, "", Some(actor_id))
            }
        };
        sqlx::query(
            "INSERT INTO messages (room_id, author_id, kind, actor_id, target_id, client_id, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(room_id)
        .bind(author_id)
        .bind(line_kind.as_str())
        .bind(actor)
        .bind(target_id)
        .bind(client_id)
        .bind(body)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let line = by_client_id(&mut *tx, author_id, client_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        tx.commit().await?;
        let removed_file = if line_kind == MessageKind::Delete { storage_key } else { None };
        Ok(Changed { line, new: true, removed_file })
    }
}
