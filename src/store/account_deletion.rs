//! Deleting an account (issue 41): what stands in the way, and the one
//! transaction that removes the account's personal data while keeping the
//! messages others saw (see `migrations/sqlite/0020_account_deletion.up.sql`;
//! the rules are `crate::accounts::deletion`).

use sqlx::AnyPool;

use super::{write_transactions::begin_write, StoreError};
use crate::types::accounts::deleted_username;

/// Queries for deleting accounts.
pub struct AccountDeletion<'a> {
    pool: &'a AnyPool,
}

/// What a deletion left to tell others, once committed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Rooms (not spaces) the account was an active member of: each gets a
    /// "left" line.
    pub rooms_left: Vec<i64>,
    /// Teacher spaces the account was in: each gets an "account deleted"
    /// line, and the other person can no longer write there.
    pub spaces_closed: Vec<i64>,
}

/// Rooms owned by an account that is not a teacher space: `(id, name)`,
/// by name.
const OWNED_ROOMS: &str = "
    SELECT r.id, r.name FROM rooms r
    WHERE r.owner_id = $1 AND NOT EXISTS (SELECT 1 FROM spaces s WHERE s.room_id = r.id)
    ORDER BY r.name, r.id";

impl<'a> AccountDeletion<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        AccountDeletion { pool }
    }

    /// The rooms `user_id` owns, teacher spaces aside: `(id, name)`, by
    /// name. An owner hands each over or deletes it before leaving Roomlink.
    pub async fn owned_rooms(&self, user_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(sqlx::query_as(OWNED_ROOMS).bind(user_id).fetch_all(self.pool).await?)
    }

    /// Deletes account `user_id` at `now_ms`, in one transaction:
    /// - its username becomes [`deleted_username`], its password hash,
    ///   language and roles are cleared, `deleted_at` is set;
    /// - its email address, memberships, join requests, recovery codes,
    ///   email links, session rows and log-in attempt count go;
    /// - its working invite links and pending language invites are revoked;
    /// - in instant chats it is a participant who left, under the deleted name;
    /// - in its teacher spaces, the other person can no longer write.
    ///
    /// Messages, files and lines stay, written by the deleted name.
    ///
    /// Returns `Ok(Err(rooms))`, changing nothing, while the account owns
    /// rooms ([`Self::owned_rooms`], checked again inside the transaction
    /// so a room handed over meanwhile is not left without an owner), and
    /// `Ok(Ok(None))` when there is no such account or it was deleted already.
    pub async fn delete(&self, user_id: i64, now_ms: i64) -> Result<Result<Option<Deleted>, Vec<(i64, String)>>, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        let owned: Vec<(i64, String)> = sqlx::query_as(OWNED_ROOMS).bind(user_id).fetch_all(&mut *tx).await?;
        if !owned.is_empty() {
            return Ok(Err(owned));
        }
        let username: Option<String> =
            sqlx::query_scalar("SELECT username FROM users WHERE id = $1 AND deleted_at IS NULL").bind(user_id).fetch_optional(&mut *tx).await?;
        let Some(username) = username else {
            return Ok(Ok(None));
        };
        let rooms_left: Vec<i64> = sqlx::query_scalar(
            "SELECT room_id FROM memberships
             WHERE user_id = $1 AND status = 'active' AND room_id NOT IN (SELECT room_id FROM spaces)
             ORDER BY room_id",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        let spaces_closed: Vec<i64> =
            sqlx::query_scalar("SELECT room_id FROM spaces WHERE teacher_id = $1 OR student_id = $1 ORDER BY room_id")
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
        let by_user = [
            // The other person of each space keeps reading it, and writes no more.
            "UPDATE memberships SET can_write = 0
             WHERE user_id <> $1 AND room_id IN (SELECT room_id FROM spaces WHERE teacher_id = $1 OR student_id = $1)",
            "DELETE FROM join_requests WHERE user_id = $1",
            "DELETE FROM memberships WHERE user_id = $1",
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM email_tokens WHERE user_id = $1",
            "DELETE FROM account_sessions WHERE user_id = $1",
        ];
        for statement in by_user {
            sqlx::query(statement).bind(user_id).execute(&mut *tx).await?;
        }
        let by_user_at_now = [
            "UPDATE invites SET revoked_at = $2, revoked_by = $1 WHERE created_by = $1 AND revoked_at IS NULL",
            "UPDATE language_invites SET revoked_at = $2 WHERE teacher_id = $1 AND used_at IS NULL AND revoked_at IS NULL",
        ];
        for statement in by_user_at_now {
            sqlx::query(statement).bind(user_id).bind(now_ms).execute(&mut *tx).await?;
        }
        let deleted = deleted_username(user_id);
        sqlx::query(
            "UPDATE instant_participants SET user_id = NULL, name = $2, name_key = NULL, left_at = COALESCE(left_at, $3)
             WHERE user_id = $1",
        )
        .bind(user_id)
        .bind(&deleted)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_attempts WHERE username_key = $1").bind(username.to_lowercase()).execute(&mut *tx).await?;
        sqlx::query(
            "UPDATE users SET username = $2, username_key = $3, username_skeleton = NULL, password_hash = '',
                              language = NULL, is_teacher = 0, is_student = 0, email = NULL, email_key = NULL, deleted_at = $4
             WHERE id = $1",
        )
        .bind(user_id)
        .bind(&deleted)
        .bind(deleted.to_lowercase())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(Some(Deleted { rooms_left, spaces_closed })))
    }
}
