//! A room's ownership and its end: handing it over to another member, and
//! deleting it with everything in it (issue 40).

use super::{begin_write, rooms::Rooms, StoreError};

/// Why a room could not be handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandOverRefusal {
    /// The one to hand it to is not an active member (or is the owner).
    NotAMember,
}

impl Rooms<'_> {
    /// Makes member `to_id` the owner of `room_id` in place of `owner_id`,
    /// who becomes a moderator with the role's usual permissions (Discord's
    /// "Transfer Ownership"; Telegram's "Transfer group ownership"). One
    /// transaction, so a room never has two owners or none.
    ///
    /// Errors: [`HandOverRefusal::NotAMember`] (nothing changed) inside
    /// `Ok(Err(..))`; the database's as [`StoreError`].
    pub async fn hand_over(&self, room_id: i64, owner_id: i64, to_id: i64) -> Result<Result<(), HandOverRefusal>, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        let to_member = sqlx::query_scalar::<_, String>(
            "SELECT role FROM memberships WHERE room_id = $1 AND user_id = $2 AND status = 'active'",
        )
        .bind(room_id)
        .bind(to_id)
        .fetch_optional(&mut *tx)
        .await?;
        if to_id == owner_id || to_member.is_none() {
            return Ok(Err(HandOverRefusal::NotAMember));
        }
        // Both roles in one statement; both with their role's own permissions.
        sqlx::query(
            "UPDATE memberships
             SET role = CASE WHEN user_id = $2 THEN 'moderator' ELSE 'owner' END,
                 can_write = 1, can_invite = NULL, can_moderate = NULL
             WHERE room_id = $1 AND user_id IN ($2, $3)",
        )
        .bind(room_id)
        .bind(owner_id)
        .bind(to_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE rooms SET owner_id = $2 WHERE id = $1").bind(room_id).bind(to_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Deletes `room_id` and everything in it: its messages, files' rows,
    /// invite links, join requests and memberships, in one transaction. Returns the names
    /// under `uploads/` of its files, for the caller to remove from disk
    /// once committed; `None` when there was no such room.
    pub async fn delete(&self, room_id: i64) -> Result<Option<Vec<String>>, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        let keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM attachments WHERE room_id = $1")
            .bind(room_id)
            .fetch_all(&mut *tx)
            .await?;
        // Children first: messages name attachments and invites, memberships and join requests name invites.
        for table in ["messages", "memberships", "join_requests", "attachments", "invites"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE room_id = $1")).bind(room_id).execute(&mut *tx).await?;
        }
        let deleted = sqlx::query("DELETE FROM rooms WHERE id = $1").bind(room_id).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok((deleted == 1).then_some(keys))
    }
}
