//! Lines (messages, attachments and joined/left notices) of instant chats
//! that keep history. Chats without history never reach these tables: they
//! are relayed from memory (`crate::instant::memory`).

use sqlx::AnyPool;

use super::{
    attachments::{bind_file, AttachmentColumns, StoredFile, FILE_COLUMNS, FILE_VALUES},
    StoreError, WriteRefusal,
};
use crate::{
    types::attachments::chat_file_url,
    types::timeline::{AuthorTag, ChatMessage, MessageKind, Topic},
};

/// Queries on `instant_messages`.
pub struct InstantLines<'a> {
    pub(super) pool: &'a AnyPool,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    chat_id: String,
    participant_id: i64,
    name: String,
    #[sqlx(try_from = "super::Flag")]
    is_host: bool,
    user_id: Option<i64>,
    kind: String,
    client_id: String,
    body: String,
    created_at: i64,
    target_id: Option<i64>,
    #[sqlx(flatten)]
    file: AttachmentColumns,
}

/// An instant chat attachment's row, for serving its file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstantFileRow {
    /// The type to serve it with.
    pub content_type: String,
    /// The file's name under `uploads/`.
    pub storage_key: String,
}

impl From<LineRow> for ChatMessage {
    fn from(row: LineRow) -> ChatMessage {
        let attachment = row.file.into_attachment(|id| chat_file_url(&row.chat_id, id));
        ChatMessage {
            id: row.id,
            topic: Topic::Chat(row.chat_id),
            author_id: row.participant_id,
            author_name: row.name,
            author_tag: Some(tag_of(row.is_host, row.user_id)),
            kind: MessageKind::from_name(&row.kind),
            client_id: row.client_id,
            body: row.body,
            created_at: row.created_at,
            attachment,
            actor_name: None,
            via_invite: None,
            target_id: row.target_id,
            edited_at: None,
        }
    }
}

/// A participant's mark: host, else account or guest.
pub fn tag_of(is_host: bool, user_id: Option<i64>) -> AuthorTag {
    match (is_host, user_id) {
        (true, _) => AuthorTag::Host,
        (false, Some(_)) => AuthorTag::Account,
        (false, None) => AuthorTag::Guest,
    }
}

const SELECT_LINE: &str = "
    SELECT m.id, m.chat_id, m.participant_id, p.name, p.is_host, p.user_id, m.kind,
           m.client_id, m.body, m.created_at, m.target_id, m.attachment_id, a.kind AS attachment_kind, a.content_type,
           a.size_bytes, a.width, a.height, a.duration_ms
    FROM instant_messages m JOIN instant_participants p ON p.id = m.participant_id
    LEFT JOIN instant_attachments a ON a.id = m.attachment_id";

/// Leaves out delete lines (over `instant_messages m`): history shows the
/// lines as they are now.
const NOT_A_CHANGE: &str = "m.kind <> 'delete'";

impl<'a> InstantLines<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        InstantLines { pool }
    }

    /// Stores a line; a second call with the same `(participant_id,
    /// client_id)` stores nothing and returns the first line with `false`.
    ///
    /// Errors: [`StoreError::NotAllowed`] with [`WriteRefusal::LeftChat`]
    /// when the participant has left the chat (read in the statement that
    /// stores the line, whatever the caller believes); nothing is stored.
    pub async fn insert(
        &self,
        chat_id: &str,
        participant_id: i64,
        kind: MessageKind,
        client_id: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO instant_messages (chat_id, participant_id, kind, client_id, body, created_at)
             SELECT $1, $2, $3, $4, $5, $6
             WHERE EXISTS (SELECT 1 FROM instant_participants WHERE id = $2 AND left_at IS NULL)
             ON CONFLICT (participant_id, client_id) DO NOTHING
             RETURNING id",
        )
        .bind(chat_id)
        .bind(participant_id)
        .bind(kind.as_str())
        .bind(client_id)
        .bind(body)
        .bind(now_ms)
        .fetch_optional(self.pool)
        .await?;
        match by_client_id(self.pool, participant_id, client_id).await? {
            Some(line) => Ok((line, inserted.is_some())),
            None => Err(StoreError::NotAllowed(WriteRefusal::LeftChat)),
        }
    }

    /// Stores an attachment and the line carrying it (empty body) in one
    /// transaction, and returns the line with `true`.
    ///
    /// When `(participant_id, client_id)` already names a line (a retried
    /// upload), stores nothing and returns that line with `false`: the
    /// caller then deletes its copy of the file.
    ///
    /// Errors: [`StoreError::NotAllowed`] with [`WriteRefusal::LeftChat`]
    /// when the participant left the chat meanwhile; nothing is stored.
    pub async fn post_attachment(
        &self,
        chat_id: &str,
        participant_id: i64,
        file: &StoredFile<'_>,
        client_id: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        if let Some(earlier) = by_client_id(self.pool, participant_id, client_id).await? {
            return Ok((earlier, false));
        }
        let mut tx = self.pool.begin().await?;
        let sql =
            format!("INSERT INTO instant_attachments (chat_id, participant_id, {FILE_COLUMNS}) VALUES ($1, $2, {FILE_VALUES}) RETURNING id");
        let owner = sqlx::query_scalar(&sql).bind(chat_id).bind(participant_id);
        let attachment_id: i64 = bind_file(owner, file, now_ms).fetch_one(&mut *tx).await?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO instant_messages (chat_id, participant_id, kind, client_id, body, created_at, attachment_id)
             SELECT $1, $2, 'text', $3, '', $4, $5
             WHERE EXISTS (SELECT 1 FROM instant_participants WHERE id = $2 AND left_at IS NULL)
             ON CONFLICT (participant_id, client_id) DO NOTHING
             RETURNING id",
        )
        .bind(chat_id)
        .bind(participant_id)
        .bind(client_id)
        .bind(now_ms)
        .bind(attachment_id)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            // The same upload finished first on another request, or the
            // participant left while the file was on its way.
            tx.rollback().await?;
            return match by_client_id(self.pool, participant_id, client_id).await? {
                Some(earlier) => Ok((earlier, false)),
                None => Err(StoreError::NotAllowed(WriteRefusal::LeftChat)),
            };
        }
        let line = by_client_id(&mut *tx, participant_id, client_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        tx.commit().await?;
        Ok((line, true))
    }

    /// Attachment `id` of chat `chat_id`, if it has one by that id.
    pub async fn attachment(&self, chat_id: &str, id: i64) -> Result<Option<InstantFileRow>, StoreError> {
        Ok(sqlx::query_as("SELECT content_type, storage_key FROM instant_attachments WHERE chat_id = $1 AND id = $2")
            .bind(chat_id)
            .bind(id)
            .fetch_optional(self.pool)
            .await?)
    }

    /// The newest `limit` lines of a chat as they are now (no delete
    /// lines), oldest first.
    pub async fn recent(&self, chat_id: &str, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query_as::<_, LineRow>(&format!(
            "{SELECT_LINE} WHERE m.chat_id = $1 AND {NOT_A_CHANGE} ORDER BY m.id DESC LIMIT $2"
        ))
        .bind(chat_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().rev().map(ChatMessage::from).collect())
    }

    /// Up to `limit` lines of a chat with an id above `after_id`, oldest
    /// first, delete lines included: what a tab catches up on.
    pub async fn after(&self, chat_id: &str, after_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query_as::<_, LineRow>(&format!(
            "{SELECT_LINE} WHERE m.chat_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3"
        ))
        .bind(chat_id)
        .bind(after_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(ChatMessage::from).collect())
    }

    /// Up to `limit` lines of a chat with an id below `before_id` as they
    /// are now (no delete lines), oldest first.
    pub async fn before(&self, chat_id: &str, before_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query_as::<_, LineRow>(&format!(
            "{SELECT_LINE} WHERE m.chat_id = $1 AND m.id < $2 AND {NOT_A_CHANGE} ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(chat_id)
        .bind(before_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().rev().map(ChatMessage::from).collect())
    }
}

/// The line `(participant_id, client_id)` names, if any.
pub(super) async fn by_client_id<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    participant_id: i64,
    client_id: &str,
) -> Result<Option<ChatMessage>, StoreError> {
    let row = sqlx::query_as::<_, LineRow>(&format!("{SELECT_LINE} WHERE m.participant_id = $1 AND m.client_id = $2"))
        .bind(participant_id)
        .bind(client_id)
        .fetch_optional(executor)
        .await?;
    Ok(row.map(ChatMessage::from))
}
