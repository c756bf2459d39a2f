//! Chat messages. Ids come from SQLite's AUTOINCREMENT (PostgreSQL's
//! identity column), so they only grow and give every room a total order
//! that catch-up after a reconnect relies on. On SQLite new lines are stored
//! in batches by one writer ([`super::group_commit`]); the statements that
//! store them are in [`super::message_inserts`].

use sqlx::AnyPool;

use super::{
    attachments::AttachmentColumns,
    group_commit::{Answer, GroupCommit, NewLine},
    message_inserts::insert_lines_on,
    StoreError,
};
use crate::{
    types::attachments::room_file_url,
    types::timeline::{ChatMessage, MessageKind, Topic},
};

/// Queries on `messages`.
pub struct Messages<'a> {
    pub(super) pool: &'a AnyPool,
    /// The group-commit writer new lines go through, on SQLite.
    pub(super) writer: Option<&'a GroupCommit>,
}

/// A line handed to the store whose place among lines is fixed: its id
/// will be above those of every line handed over before it returned, and
/// below those of every line handed over after. On SQLite it waits in the
/// group commit writer's queue ([`super::group_commit`]); with no writer it
/// is already stored. [`Queued::stored`] gives the line once committed.
#[derive(Debug)]
pub struct Queued(Waiting);

#[derive(Debug)]
enum Waiting {
    Writer(Answer),
    Done(Result<(ChatMessage, bool), StoreError>),
}

impl Queued {
    /// The line as stored, and whether it is new (`false`: the same
    /// `(author_id, client_id)` was stored before, and that line comes
    /// back). Errors: as the `insert_*` method that queued it; nothing was
    /// stored.
    pub async fn stored(self) -> Result<(ChatMessage, bool), StoreError> {
        match self.0 {
            Waiting::Writer(answer) => answer.stored().await,
            Waiting::Done(stored) => stored,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MessageRow {
    id: i64,
    room_id: i64,
    author_id: i64,
    author_name: String,
    kind: String,
    client_id: String,
    body: String,
    created_at: i64,
    actor_name: Option<String>,
    invite_id: Option<i64>,
    invite_label: Option<String>,
    target_id: Option<i64>,
    edited_at: Option<i64>,
    #[sqlx(flatten)]
    file: AttachmentColumns,
}

impl From<MessageRow> for ChatMessage {
    fn from(row: MessageRow) -> ChatMessage {
        let attachment = row.file.into_attachment(room_file_url);
        ChatMessage {
            attachment,
            actor_name: row.actor_name,
            via_invite: row.invite_id.map(|id| (id, row.invite_label.unwrap_or_default())),
            id: row.id,
            topic: Topic::Room(row.room_id),
            author_id: row.author_id,
            author_name: row.author_name,
            author_tag: None,
            kind: MessageKind::from_name(&row.kind),
            client_id: row.client_id,
            body: row.body,
            created_at: row.created_at,
            target_id: row.target_id,
            edited_at: row.edited_at,
        }
    }
}

pub(super) const SELECT_MESSAGE: &str = "
    SELECT m.id, m.room_id, m.author_id, u.username AS author_name, m.kind, m.client_id, m.body,
           m.created_at, actor.username AS actor_name, m.invite_id, i.label AS invite_label, m.target_id, m.edited_at,
           m.attachment_id, a.kind AS attachment_kind, a.content_type, a.size_bytes, a.width, a.height, a.duration_ms
    FROM messages m JOIN users u ON u.id = m.author_id
    LEFT JOIN users actor ON actor.id = m.actor_id
    LEFT JOIN invites i ON i.id = m.invite_id
    LEFT JOIN attachments a ON a.id = m.attachment_id";

/// Leaves out edit and delete lines (over `messages m`): history shows
/// the messages as they are now.
const NOT_A_CHANGE: &str = "m.kind NOT IN ('edit', 'delete')";

/// The message `author_id` sent with `client_id`, if any.
pub(super) async fn by_client_id<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    author_id: i64,
    client_id: &str,
) -> Result<Option<ChatMessage>, StoreError> {
    let row = sqlx::query_as::<_, MessageRow>(&format!("{SELECT_MESSAGE} WHERE m.author_id = $1 AND m.client_id = $2"))
        .bind(author_id)
        .bind(client_id)
        .fetch_optional(executor)
        .await?;
    Ok(row.map(ChatMessage::from))
}

impl<'a> Messages<'a> {
    pub(super) fn new(pool: &'a AnyPool, writer: Option<&'a GroupCommit>) -> Self {
        Messages { pool, writer }
    }

    /// Stores a message and returns it with its id, without the writer
    /// and without asking whether the author may write (the timeline
    /// service posts members' messages with [`Messages::queue_as_member`]):
    /// for history that is set up rather than sent. `body` must already be
    /// checked against [`crate::limits::MESSAGE_MAX_CHARS`].
    ///
    /// A second call with the same `(author_id, client_id)` stores nothing and
    /// returns the first message with `false`: a retried send shows once.
    pub async fn insert(
        &self,
        room_id: i64,
        author_id: i64,
        client_id: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        self.store(Self::new_line(room_id, author_id, MessageKind::Text, (None, None), client_id, body, now_ms)).await
    }

    /// Stores the line of a membership that ended: `kind` is
    /// [`MessageKind::Left`], `Removed` or `Banned`, about `member_id`,
    /// done by `actor_id` (an owner or moderator) for the last two.
    /// Otherwise as [`Messages::insert`].
    pub async fn insert_membership_end(
        &self,
        room_id: i64,
        member_id: i64,
        kind: MessageKind,
        actor_id: Option<i64>,
        client_id: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        self.store(Self::new_line(room_id, member_id, kind, (actor_id, None), client_id, "", now_ms)).await
    }

    /// Stores the line that says `owner_id` renamed room `room_id` to
    /// `name` (already checked). Otherwise as [`Messages::insert`].
    pub async fn insert_renamed(
        &self,
        room_id: i64,
        owner_id: i64,
        name: &str,
        client_id: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        self.store(Self::new_line(room_id, owner_id, MessageKind::Renamed, (None, None), client_id, name, now_ms)).await
    }

    /// A line of these fields, for a system or plain line (not checked against rights).
    #[allow(clippy::too_many_arguments)]
    fn new_line(
        room_id: i64,
        author_id: i64,
        kind: MessageKind,
        (actor_id, invite_id): (Option<i64>, Option<i64>),
        client_id: &str,
        body: &str,
        now_ms: i64,
    ) -> NewLine {
        NewLine {
            room_id,
            author_id,
            kind,
            actor_id,
            invite_id,
            client_id: client_id.to_owned(),
            body: body.to_owned(),
            created_at: now_ms,
            needs_write_right: false,
        }
    }

    /// Stores a text message a member sends, as [`Messages::insert`], if
    /// they may write in the room when it is stored: the check is read where
    /// the line is stored (on SQLite inside the writer's transaction, one
    /// read for the whole batch), not before.
    ///
    /// Errors: [`StoreError::NotAllowed`] with [`super::WriteRefusal::Muted`] or
    /// [`super::WriteRefusal::NotMember`]; nothing was stored.
    pub async fn insert_as_member(
        &self,
        room_id: i64,
        author_id: i64,
        client_id: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<(ChatMessage, bool), StoreError> {
        self.queue_as_member(room_id, author_id, client_id, body, now_ms).await.stored().await
    }

    /// Stores `line` through the writer (SQLite) or straight away.
    async fn store(&self, line: NewLine) -> Result<(ChatMessage, bool), StoreError> {
        self.queue(line).await.stored().await
    }

    /// Hands `line` to the writer (SQLite), or stores it straight away (no
    /// writer); see [`Queued`].
    async fn queue(&self, line: NewLine) -> Queued {
        let line = match self.writer {
            Some(writer) => match writer.queue(line).await {
                Ok(answer) => return Queued(Waiting::Writer(answer)),
                Err(line) => line,
            },
            None => line,
        };
        let stored = match self.pool.acquire().await {
            Ok(mut conn) => insert_lines_on(&mut conn, &[&line]).await.into_iter().next(),
            Err(e) => Some(Err(e.into())),
        };
        Queued(Waiting::Done(stored.unwrap_or(Err(StoreError::Db(sqlx::Error::RowNotFound)))))
    }

    /// [`Messages::insert_as_member`], returning once the line has its
    /// place in the order of ids (see [`Queued`]).
    pub async fn queue_as_member(&self, room_id: i64, author_id: i64, client_id: &str, body: &str, now_ms: i64) -> Queued {
        let line = Self::new_line(room_id, author_id, MessageKind::Text, (None, None), client_id, body, now_ms);
        self.queue(NewLine { needs_write_right: true, ..line }).await
    }

    /// [`Messages::insert_joined`], returning once the line has its place
    /// in the order of ids (see [`Queued`]).
    pub async fn queue_joined(&self, room_id: i64, member_id: i64, via: Option<(i64, i64)>, client_id: &str, now_ms: i64) -> Queued {
        let (invite_id, creator_id) = via.unzip();
        self.queue(Self::new_line(room_id, member_id, MessageKind::Joined, (creator_id, invite_id), client_id, "", now_ms)).await
    }

    /// The newest `limit` lines of a room, oldest first, as they are now:
    /// edit and delete lines are left out (the messages they changed show
    /// the change, see [`super::message_changes`]).
    pub async fn recent(&self, room_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let newest_first = sqlx::query_as::<_, MessageRow>(&format!(
            "{SELECT_MESSAGE} WHERE m.room_id = $1 AND {NOT_A_CHANGE} ORDER BY m.id DESC LIMIT $2"
        ))
        .bind(room_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(newest_first.into_iter().rev().map(ChatMessage::from).collect())
    }

    /// Up to `limit` lines of a room with an id above `after_id`, oldest
    /// first: what a tab missed while it was away, edit and delete lines
    /// included (a tab applies them to what it shows).
    pub async fn after(
        &self,
        room_id: i64,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query_as::<_, MessageRow>(&format!(
            "{SELECT_MESSAGE} WHERE m.room_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3"
        ))
        .bind(room_id)
        .bind(after_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(ChatMessage::from).collect())
    }

    /// Up to `limit` lines of a room with an id below `before_id`, oldest
    /// first: the page before the oldest one shown (keyset paging on id),
    /// as they are now (as [`Messages::recent`]).
    pub async fn before(&self, room_id: i64, before_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let rows = sqlx::query_as::<_, MessageRow>(&format!(
            "{SELECT_MESSAGE} WHERE m.room_id = $1 AND m.id < $2 AND {NOT_A_CHANGE} ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(room_id)
        .bind(before_id)
        .bind(limit as i64)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().rev().map(ChatMessage::from).collect())
    }
}
