//! What an account holds, read for "Download my data" (issue 41; LGPD art.
//! 18, II and V: a person's right to a copy of their data): the account and
//! profile, its memberships, the invite links it made and the messages it
//! wrote, each as stored. Read only; nothing here writes.

use serde::Serialize;
use sqlx::AnyPool;

use super::{Flag, StoreError};

/// The account's own row, without its password hash.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedAccount {
    /// Account id.
    pub id: i64,
    /// Username as typed.
    pub username: String,
    /// When it was made, Unix ms.
    pub created_at: i64,
    /// The language chosen in the profile (a BCP 47 tag), if any.
    pub language: Option<String>,
    /// Marked themselves a teacher.
    #[sqlx(try_from = "Flag")]
    pub is_teacher: bool,
    /// Has accepted a language invite.
    #[sqlx(try_from = "Flag")]
    pub is_student: bool,
}

/// A membership, current or ended.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedMembership {
    /// The room.
    pub room_id: i64,
    /// Its name now.
    pub room_name: String,
    /// owner, moderator or member.
    pub role: String,
    /// active, left, removed or banned.
    pub status: String,
    /// When they joined, Unix ms.
    pub joined_at: i64,
}

/// An invite link the account made (its token is not stored, so not here).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedInvite {
    /// Invite id.
    pub id: i64,
    /// The room it leads to.
    pub room_id: i64,
    /// Its label; empty when none.
    pub label: String,
    /// When it was made, Unix ms.
    pub created_at: i64,
    /// When it stops working, Unix ms; `None`: never.
    pub expires_at: Option<i64>,
    /// Most uses; `None`: unlimited.
    pub max_uses: Option<i64>,
    /// Times used.
    pub uses: i64,
    /// When it was revoked, Unix ms, if it was.
    pub revoked_at: Option<i64>,
}

/// A message the account wrote in a room, as it is now (edited text, or
/// empty for a deleted one).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedMessage {
    /// Message id.
    pub id: i64,
    /// The room.
    pub room_id: i64,
    /// text or deleted (a file's line is text with an empty body).
    pub kind: String,
    /// Its text.
    pub body: String,
    /// When it was sent, Unix ms.
    pub created_at: i64,
    /// When it was last edited, Unix ms, if it was.
    pub edited_at: Option<i64>,
    /// The type of the file it carries, if any.
    pub attachment_type: Option<String>,
}

/// Reads an account's data.
pub struct AccountExport<'a> {
    pool: &'a AnyPool,
}

impl<'a> AccountExport<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        AccountExport { pool }
    }

    /// The account row; `None` for no such account.
    pub async fn account(&self, user_id: i64) -> Result<Option<ExportedAccount>, StoreError> {
        Ok(sqlx::query_as("SELECT id, username, created_at, language, is_teacher, is_student FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool)
            .await?)
    }

    /// Every membership, oldest first.
    pub async fn memberships(&self, user_id: i64) -> Result<Vec<ExportedMembership>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT m.room_id, r.name AS room_name, m.role, m.status, m.joined_at
             FROM memberships m JOIN rooms r ON r.id = m.room_id
             WHERE m.user_id = $1 ORDER BY m.joined_at, m.room_id",
        )
        .bind(user_id)
        .fetch_all(self.pool)
        .await?)
    }

    /// Every invite link made, oldest first.
    pub async fn invites(&self, user_id: i64) -> Result<Vec<ExportedInvite>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, room_id, label, created_at, expires_at, max_uses, uses, revoked_at
             FROM invites WHERE created_by = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(self.pool)
        .await?)
    }

    /// Every message written in rooms (not system lines, edit or delete
    /// lines), oldest first.
    pub async fn messages(&self, user_id: i64) -> Result<Vec<ExportedMessage>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.room_id, m.kind, m.body, m.created_at, m.edited_at, a.content_type AS attachment_type
             FROM messages m LEFT JOIN attachments a ON a.id = m.attachment_id
             WHERE m.author_id = $1 AND m.kind IN ('text', 'deleted') ORDER BY m.id",
        )
        .bind(user_id)
        .fetch_all(self.pool)
        .await?)
    }
}
