//! Attachments: the rows describing uploaded files, and the message that
//! carries each one. The files themselves are under `<data_dir>/uploads/`.

use sqlx::{any::AnyArguments, query::QueryScalar, Any, AnyPool};

use super::{
    messages::by_client_id,
    rooms::{is_active_member_on, CAN_WRITE},
    StoreError, WriteRefusal,
};
use crate::{
    types::attachments::{Attachment, AttachmentKind},
    types::timeline::ChatMessage,
};

/// The attachment columns of a line, as `LEFT JOIN`ed beside it (all `NULL`
/// for a line without one): `attachment_id`, `attachment_kind`,
/// `content_type`, `size_bytes`, `width`, `height`, `duration_ms`. Used by
/// room messages and instant chat lines alike.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct AttachmentColumns {
    attachment_id: Option<i64>,
    attachment_kind: Option<String>,
    content_type: Option<String>,
    size_bytes: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    duration_ms: Option<i64>,
}

impl AttachmentColumns {
    /// The attachment these columns describe, served at `url(id)`; `None`
    /// for a line without one.
    pub(super) fn into_attachment(self, url: impl FnOnce(i64) -> String) -> Option<Attachment> {
        let small = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
        match (self.attachment_id, self.attachment_kind, self.content_type) {
            (Some(id), Some(kind), Some(content_type)) => Some(Attachment {
                id,
                url: url(id),
                kind: AttachmentKind::from_name(&kind),
                content_type,
                size_bytes: self.size_bytes.unwrap_or_default(),
                width: small(self.width),
                height: small(self.height),
                duration_ms: small(self.duration_ms),
            }),
            _ => None,
        }
    }
}

/// What the server found in an uploaded file and where it keeps it: the
/// part of an attachment's row that rooms and instant chats share.
#[derive(Debug, Clone)]
pub struct StoredFile<'a> {
    /// Image or voice message.
    pub kind: AttachmentKind,
    /// The sniffed type it is served with.
    pub content_type: &'a str,
    /// File size in bytes.
    pub size_bytes: i64,
    /// Images: width and height in pixels.
    pub dimensions: Option<(u32, u32)>,
    /// Voice messages: length in milliseconds.
    pub duration_ms: Option<u32>,
    /// The file's name under `uploads/` (32 random hex characters).
    pub storage_key: &'a str,
}

/// The columns of a file's row after its owner's two (`room_id,
/// uploader_id` in `attachments`, `chat_id, participant_id` in
/// `instant_attachments`), bound by [`bind_file`] as `$3` to `$10`.
pub(super) const FILE_COLUMNS: &str = "kind, content_type, size_bytes, width, height, duration_ms, storage_key, created_at";
/// The placeholders of [`FILE_COLUMNS`].
pub(super) const FILE_VALUES: &str = "$3, $4, $5, $6, $7, $8, $9, $10";

/// `query` (an insert of a file's row, its owner bound as `$1` and `$2`)
/// with the values of [`FILE_COLUMNS`] bound: `file`, stored at `now_ms`.
pub(super) fn bind_file<'q>(
    query: QueryScalar<'q, Any, i64, AnyArguments<'q>>,
    file: &StoredFile<'q>,
    now_ms: i64,
) -> QueryScalar<'q, Any, i64, AnyArguments<'q>> {
    query
        .bind(file.kind.as_str())
        .bind(file.content_type)
        .bind(file.size_bytes)
        .bind(file.dimensions.map(|d| i64::from(d.0)))
        .bind(file.dimensions.map(|d| i64::from(d.1)))
        .bind(file.duration_ms.map(i64::from))
        .bind(file.storage_key)
        .bind(now_ms)
}

/// Queries on `attachments`.
pub struct Attachments<'a> {
    pool: &'a AnyPool,
}

/// An attachment about to be posted to a room.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    /// The room it is posted to.
    pub room_id: i64,
    /// Who posts it (a member).
    pub uploader_id: i64,
    /// The file.
    pub file: StoredFile<'a>,
}

/// An attachment's row, for serving its file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    /// Id.
    pub id: i64,
    /// The room whose members may fetch it.
    pub room_id: i64,
    /// The type to serve it with.
    pub content_type: String,
    /// The file's name under `uploads/`.
    pub storage_key: String,
}

impl<'a> Attachments<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Attachments { pool }
    }

    /// Stores the attachment and a message carrying it (empty body) in one
    /// transaction, and returns the message with `true`.
    ///
    /// When `(uploader, client_id)` already names a message (a retried
    /// upload), stores nothing and returns that message with `false`: the
    /// caller then deletes its copy of the file.
    ///
    /// Errors: [`StoreError::NotAllowed`] with [`WriteRefusal::Muted`] or
    /// [`WriteRefusal::NotMember`] when the uploader may no longer write in
    /// the room (read in the transaction that stores it); nothing is stored.
    pub async fn post(
        &self,
        new: &NewAttachment<'_>,
        client_id: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        if let Some(earlier) = by_client_id(self.pool, new.uploader_id, client_id).await? {
            return Ok((earlier, false));
        }
        let mut tx = self.pool.begin().await?;
        let sql = format!("INSERT INTO attachments (room_id, uploader_id, {FILE_COLUMNS}) VALUES ($1, $2, {FILE_VALUES}) RETURNING id");
        let owner = sqlx::query_scalar(&sql).bind(new.room_id).bind(new.uploader_id);
        let attachment_id: i64 = bind_file(owner, &new.file, now_ms).fetch_one(&mut *tx).await?;
        // Whether they may still write is read in the statement that stores
        // the line: a mute, ban or leave that landed while the file was on
        // its way holds (issue 37).
        let sql = format!(
            "INSERT INTO messages (room_id, author_id, kind, client_id, body, created_at, attachment_id)
             SELECT $1, $2, 'text', $3, '', $4, $5
             WHERE EXISTS (SELECT 1 FROM memberships m
                           WHERE m.room_id = $1 AND m.user_id = $2 AND m.status = 'active' AND {CAN_WRITE} <> 0)
             ON CONFLICT (author_id, client_id) DO NOTHING
             RETURNING id"
        );
        let inserted: Option<i64> = sqlx::query_scalar(&sql)
        .bind(new.room_id)
        .bind(new.uploader_id)
        .bind(client_id)
        .bind(now_ms)
        .bind(attachment_id)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            let may_not_write = match by_client_id(&mut *tx, new.uploader_id, client_id).await? {
                // The same upload finished first on another request.
                Some(earlier) => Ok(earlier),
                None if is_active_member_on(&mut tx, new.room_id, new.uploader_id).await? => Err(WriteRefusal::Muted),
                None => Err(WriteRefusal::NotMember),
            };
            tx.rollback().await?;
            return match may_not_write {
                Ok(earlier) => Ok((earlier, false)),
                Err(why) => Err(StoreError::NotAllowed(why)),
            };
        }
        let message = by_client_id(&mut *tx, new.uploader_id, client_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        tx.commit().await?;
        Ok((message, true))
    }

    /// The attachment with this id, if any.
    pub async fn get(&self, id: i64) -> Result<Option<AttachmentRow>, StoreError> {
        Ok(sqlx::query_as("SELECT id, room_id, content_type, storage_key FROM attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool)
            .await?)
    }

    /// The storage key (file name under the uploads folder) of every
    /// attachment on disk: of rooms, and of instant chats that keep history.
    pub async fn storage_keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT storage_key FROM attachments UNION ALL SELECT storage_key FROM instant_attachments")
            .fetch_all(self.pool)
            .await?)
    }
}
