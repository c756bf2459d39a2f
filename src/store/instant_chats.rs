//! Instant chats and their participants.
//!
//! A chat's display names are unique ignoring case (`name_key`), and a user
//! account is in a chat at most once. Joining counts the participants and
//! inserts in one `BEGIN IMMEDIATE` transaction, so the limit holds when many
//! join at once. Someone who leaves keeps their lines; their name is freed.

use sqlx::AnyPool;

use super::{
    chat_lookups::{with_participant_on, ChatLookups, Lookup},
    is_unique_violation, StoreError,
};

/// Queries on `instant_chats` and `instant_participants`.
pub struct InstantChats<'a> {
    pub(super) pool: &'a AnyPool,
    /// The reader that answers many tabs' lookups at once ([`super::chat_lookups`]).
    lookups: &'a ChatLookups,
}

/// A stored instant chat.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChatRow {
    /// The chat's nanoid.
    pub id: String,
    /// Title, possibly empty.
    pub title: String,
    /// True: lines are written to `instant_messages`; false: memory only.
    #[sqlx(try_from = "super::Flag")]
    pub keep_history: bool,
    /// Start, Unix ms.
    pub created_at: i64,
    /// When it expires, Unix ms.
    pub ends_at: i64,
    /// When the host ended it, Unix ms.
    pub ended_at: Option<i64>,
}

impl ChatRow {
    /// True while people can still join and talk at `now_ms`.
    pub fn is_open(&self, now_ms: i64) -> bool {
        self.ended_at.is_none() && now_ms < self.ends_at
    }
}

/// A participant who has not left.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ParticipantRow {
    /// Participant id (the `sub` of their cookie).
    pub id: i64,
    /// Chat they are in.
    pub chat_id: String,
    /// Display name, trimmed.
    pub name: String,
    /// Started the chat.
    #[sqlx(try_from = "super::Flag")]
    pub is_host: bool,
    /// Their account, if they joined logged in.
    pub user_id: Option<i64>,
    /// Id of their "joined" line: a chat without history shows them lines from here on.
    pub first_seen_id: i64,
}

/// A new participant.
#[derive(Debug, Clone, Copy)]
pub struct NewParticipant<'a> {
    /// Display name, already checked.
    pub name: &'a str,
    /// Their account, when logged in.
    pub user_id: Option<i64>,
}

/// Why someone could not join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinRefusal {
    /// The chat holds its maximum; the number is that maximum.
    Full(u32),
    /// Someone in the chat has this name (ignoring case).
    NameTaken,
    /// The chat does not exist, ended or expired.
    Closed,
    /// The host locked the chat: nobody new joins.
    Locked,
}

/// What one sweep deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Ids of the chats deleted.
    pub chat_ids: Vec<String>,
    /// Participants deleted with them.
    pub participants: u64,
    /// Stored lines deleted with them.
    pub messages: u64,
    /// Files under `uploads/` whose rows were deleted with them: the caller
    /// deletes the files.
    pub storage_keys: Vec<String>,
}

const PARTICIPANT: &str = "
    SELECT id, chat_id, name, is_host, user_id, first_seen_id
    FROM instant_participants";

impl<'a> InstantChats<'a> {
    pub(super) fn new(pool: &'a AnyPool, lookups: &'a ChatLookups) -> Self {
        InstantChats { pool, lookups }
    }

    /// Stores a new chat with its host as the first participant.
    pub async fn create(&self, chat: &ChatRow, host: NewParticipant<'_>) -> Result<ParticipantRow, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO instant_chats (id, title, keep_history, created_at, ends_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&chat.id)
        .bind(&chat.title)
        .bind(super::Flag(chat.keep_history))
        .bind(chat.created_at)
        .bind(chat.ends_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("instant chat id") } else { e.into() })?;
        let host = insert_participant(&mut tx, &chat.id, host, true, chat.created_at).await?;
        tx.commit().await?;
        Ok(host)
    }

    /// The next line id of an instant chat without history, when several
    /// nodes share the database (PostgreSQL only): from one sequence, so ids
    /// taken under a chat's lock grow in that order on every node. Errors:
    /// the database's (on SQLite, which has no sequences, always).
    pub async fn next_memory_line_id(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT nextval('instant_memory_line_ids')").fetch_one(self.pool).await?)
    }

    /// The chat with this id, open or not; `None` once swept or never made.
    pub async fn get(&self, id: &str) -> Result<Option<ChatRow>, StoreError> {
        Ok(sqlx::query_as::<_, ChatRow>(
            "SELECT id, title, keep_history, created_at, ends_at, ended_at FROM instant_chats WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool)
        .await?)
    }

    /// The chat `id` and who is asking in it, in one read (a tab following
    /// the chat, [`crate::live`]): the participant `participant_id` names
    /// (from their signed cookie) if they have not left, else the one user
    /// account `user_id` is in the chat as, else `None`. `None` overall when
    /// there is no such chat. Read together with the lookups of other tabs
    /// asking at the same time ([`super::chat_lookups`]).
    pub async fn with_participant(
        &self,
        id: &str,
        participant_id: Option<i64>,
        user_id: Option<i64>,
    ) -> Result<Option<(ChatRow, Option<ParticipantRow>)>, StoreError> {
        match self.lookups.find(Lookup { chat_id: id.to_owned(), participant_id, user_id }).await {
            Ok(found) => found,
            Err(_) => with_participant_on(self.pool, id, participant_id, user_id).await,
        }
    }

    /// The host's name, how many are in the chat now, and whether the host
    /// locked it.
    pub async fn head_count(&self, chat_id: &str) -> Result<(String, i64, bool), StoreError> {
        let (host, count, locked) = sqlx::query_as::<_, (String, i64, super::Flag)>(
            "SELECT COALESCE((SELECT name FROM instant_participants WHERE chat_id = $1 AND is_host = 1), ''),
                    (SELECT COUNT(*) FROM instant_participants WHERE chat_id = $1 AND left_at IS NULL),
                    COALESCE((SELECT locked FROM instant_chats WHERE id = $1), 0)",
        )
        .bind(chat_id)
        .fetch_one(self.pool)
        .await?;
        Ok((host, count, locked.0))
    }

    /// Adds a participant if the chat is open at `now_ms`, not locked, has
    /// fewer than `max` people and nobody there has the name. A user account
    /// already in the chat gets its existing participant back (locked or not).
    pub async fn join(
        &self,
        chat_id: &str,
        who: NewParticipant<'_>,
        max: u32,
        now_ms: i64,
    ) -> Result<Result<ParticipantRow, JoinRefusal>, StoreError> {
        let mut tx = super::begin_write(self.pool).await?;
        let open: Option<(i64, super::Flag)> = sqlx::query_as(
            "SELECT COUNT(p.id), c.locked FROM instant_chats c
             LEFT JOIN instant_participants p ON p.chat_id = c.id AND p.left_at IS NULL
             WHERE c.id = $1 AND c.ended_at IS NULL AND c.ends_at > $2 GROUP BY c.id, c.locked",
        )
        .bind(chat_id)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((count, locked)) = open else { return Ok(Err(JoinRefusal::Closed)) };
        if let Some(user_id) = who.user_id {
            let existing = sqlx::query_as::<_, ParticipantRow>(&format!(
                "{PARTICIPANT} WHERE chat_id = $1 AND user_id = $2 AND left_at IS NULL"
            ))
            .bind(chat_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(existing) = existing {
                return Ok(Ok(existing));
            }
        }
        if locked.0 {
            return Ok(Err(JoinRefusal::Locked));
        }
        if count >= i64::from(max) {
            return Ok(Err(JoinRefusal::Full(max)));
        }
        match insert_participant(&mut tx, chat_id, who, false, now_ms).await {
            Ok(row) => {
                tx.commit().await?;
                Ok(Ok(row))
            }
            Err(StoreError::Conflict(_)) => Ok(Err(JoinRefusal::NameTaken)),
            Err(e) => Err(e),
        }
    }

    /// The people in a chat now, in the order they joined.
    pub async fn members(&self, chat_id: &str) -> Result<Vec<crate::types::timeline::MemberView>, StoreError> {
        let rows = sqlx::query_as::<_, ParticipantRow>(&format!(
            "{PARTICIPANT} WHERE chat_id = $1 AND left_at IS NULL ORDER BY id"
        ))
        .bind(chat_id)
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|p| crate::types::timeline::MemberView {
                id: p.id,
                tag: Some(super::tag_of(p.is_host, p.user_id)),
                name: p.name,
                rights: None,
                last_seen_at: None,
            })
            .collect())
    }

    /// The participant with this id in this chat, if they have not left.
    pub async fn participant(&self, chat_id: &str, id: i64) -> Result<Option<ParticipantRow>, StoreError> {
        Ok(sqlx::query_as::<_, ParticipantRow>(&format!(
            "{PARTICIPANT} WHERE chat_id = $1 AND id = $2 AND left_at IS NULL"
        ))
        .bind(chat_id)
        .bind(id)
        .fetch_optional(self.pool)
        .await?)
    }

    /// The participant a user account is in this chat as, if any.
    pub async fn participant_for_user(&self, chat_id: &str, user_id: i64) -> Result<Option<ParticipantRow>, StoreError> {
        Ok(sqlx::query_as::<_, ParticipantRow>(&format!(
            "{PARTICIPANT} WHERE chat_id = $1 AND user_id = $2 AND left_at IS NULL"
        ))
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(self.pool)
        .await?)
    }

    /// Records the id of a participant's "joined" line.
    pub async fn set_first_seen(&self, participant_id: i64, line_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE instant_participants SET first_seen_id = $2 WHERE id = $1")
            .bind(participant_id)
            .bind(line_id)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Marks a participant as gone and frees their name. False if they had left already.
    pub async fn leave(&self, participant_id: i64, now_ms: i64) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "UPDATE instant_participants SET left_at = $2, name_key = NULL WHERE id = $1 AND left_at IS NULL",
        )
        .bind(participant_id)
        .bind(now_ms)
        .execute(self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Ends an open chat at `now_ms`. False if it had ended (or expired) already.
    pub async fn end(&self, chat_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "UPDATE instant_chats SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL AND ends_at > $2",
        )
        .bind(chat_id)
        .bind(now_ms)
        .execute(self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Deletes every chat that was ended or expired at `now_ms`, with its
    /// participants, lines and attachment rows, in one transaction.
    pub async fn sweep(&self, now_ms: i64) -> Result<Swept, StoreError> {
        let mut tx = super::begin_write(self.pool).await?;
        let chat_ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM instant_chats WHERE ended_at IS NOT NULL OR ends_at <= $1",
        )
        .bind(now_ms)
        .fetch_all(&mut *tx)
        .await?;
        if chat_ids.is_empty() {
            return Ok(Swept::default());
        }
        const GONE: &str = "(SELECT id FROM instant_chats WHERE ended_at IS NOT NULL OR ends_at <= $1)";
        let storage_keys: Vec<String> =
            sqlx::query_scalar(&format!("SELECT storage_key FROM instant_attachments WHERE chat_id IN {GONE}"))
                .bind(now_ms)
                .fetch_all(&mut *tx)
                .await?;
        let messages = sqlx::query(&format!("DELETE FROM instant_messages WHERE chat_id IN {GONE}"))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query(&format!("DELETE FROM instant_attachments WHERE chat_id IN {GONE}"))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        let participants = sqlx::query(&format!("DELETE FROM instant_participants WHERE chat_id IN {GONE}"))
            .bind(now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM instant_chats WHERE ended_at IS NOT NULL OR ends_at <= $1")
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Swept { chat_ids, participants, messages, storage_keys })
    }
}

async fn insert_participant(
    tx: &mut sqlx::AnyConnection,
    chat_id: &str,
    who: NewParticipant<'_>,
    is_host: bool,
    now_ms: i64,
) -> Result<ParticipantRow, StoreError> {
    sqlx::query_as::<_, ParticipantRow>(
        "INSERT INTO instant_participants (chat_id, name, name_key, is_host, user_id, joined_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, chat_id, name, is_host, user_id, first_seen_id",
    )
    .bind(chat_id)
    .bind(who.name)
    .bind(crate::names::name_key(who.name))
    .bind(super::Flag(is_host))
    .bind(who.user_id)
    .bind(now_ms)
    .fetch_one(tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("display name") } else { e.into() })
}
