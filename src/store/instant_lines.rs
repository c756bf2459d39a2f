//! Lines (messages and joined/left notices) of instant chats that keep
//! history. Chats without history never reach this table: they are relayed
//! from memory (`crate::instant::memory`).

use sqlx::SqlitePool;

use super::StoreError;
use crate::live::{AuthorTag, ChatMessage, MessageKind, Topic};

/// Queries on `instant_messages`.
pub struct InstantLines<'a> {
    pool: &'a SqlitePool,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    chat_id: String,
    participant_id: i64,
    name: String,
    is_host: bool,
    user_id: Option<i64>,
    kind: String,
    client_id: String,
    body: String,
    created_at: i64,
}

impl From<LineRow> for ChatMessage {
    fn from(row: LineRow) -> ChatMessage {
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
            attachment: None,
            actor_name: None,
            via_invite: None,
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
           m.client_id, m.body, m.created_at
    FROM instant_messages m JOIN instant_participants p ON p.id = m.participant_id";

impl<'a> InstantLines<'a> {
    pub(super) fn new(pool: &'a SqlitePool) -> Self {
        InstantLines { pool }
    }

    /// Stores a line; a second call with the same `(participant_id,
    /// client_id)` stores nothing and returns the first line with `false`.
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
             VALUES ($1, $2, $3, $4, $5, $6)
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
        let line = sqlx::query_as::<_, LineRow>(&format!(
            "{SELECT_LINE} WHERE m.participant_id = $1 AND m.client_id = $2"
        ))
        .bind(participant_id)
        .bind(client_id)
        .fetch_one(self.pool)
        .await?;
        Ok((line.into(), inserted.is_some()))
    }

    /// The newest `limit` lines of a chat, oldest first.
    pub async fn recent(&self, chat_id: &str, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query_as::<_, LineRow>(&format!(
            "{SELECT_LINE} WHERE m.chat_id = $1 ORDER BY m.id DESC LIMIT $2"
        ))
        .bind(chat_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().rev().map(ChatMessage::from).collect())
    }

    /// Up to `limit` lines of a chat with an id above `after_id`, oldest first.
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

    /// Up to `limit` lines of a chat with an id below `before_id`, oldest first.
    pub async fn before(&self, chat_id: &str, before_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query_as::<_, LineRow>(&format!(
            "{SELECT_LINE} WHERE m.chat_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(chat_id)
        .bind(before_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().rev().map(ChatMessage::from).collect())
    }
}
