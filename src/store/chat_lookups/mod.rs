//! Reading, for many tabs at once, the instant chat each one follows and who
//! it is there (issue 6, S1 and S5).
//!
//! Every tab that follows an instant chat needs one read
//! ([`super::InstantChats::with_participant`]): the chat (still open?) and
//! its participant (still in it?). When a class or a reconnecting crowd opens
//! thousands of tabs at once, those reads were each a trip to SQLite's
//! connection thread and back. `perf` on the server while 10,000 tabs joined
//! 100 chats of 100 put 22% of the server's samples in the SQLite threads
//! and another 10% in the thread switches around them; the read itself
//! (`sqlite3VdbeExec`) was a small part.
//!
//! Here one task reads instead: it takes every lookup waiting, up to
//! [`LOOKUPS_PER_READ`], and answers them all from one statement. A lookup
//! that finds the task idle is read at once, alone, so nothing waits for a
//! batch to fill; lookups that arrive while a read runs go together in the
//! next. The answers are those the one-at-a-time read gives (the same rules,
//! in SQL that runs on SQLite and PostgreSQL). If the batch fails, each
//! lookup is read again alone ([`with_participant_on`], also the read when
//! the reader is gone) and gets its own answer or error.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

use super::{ChatRow, Params, ParticipantRow, StoreError};

/// Most lookups read by one statement: 4 parameters each, well under
/// SQLite's 32,766 and PostgreSQL's 65,535 (<https://sqlite.org/limits.html>).
pub(super) const LOOKUPS_PER_READ: usize = 256;
/// Lookups that may wait for the reader before callers wait to hand theirs over.
const WAITING_MAX: usize = 4_096;

/// What a lookup finds: the chat, if it exists, and who asks in it, if they
/// are a participant who has not left.
pub(super) type LookedUp = Option<(ChatRow, Option<ParticipantRow>)>;

/// One tab asking: chat id, the participant its signed cookie names, the
/// user account it is logged in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Lookup {
    pub chat_id: String,
    pub participant_id: Option<i64>,
    pub user_id: Option<i64>,
}

struct Ask {
    lookup: Lookup,
    done: oneshot::Sender<Result<LookedUp, StoreError>>,
}

/// The handle to the reader task. Cheap to clone; the task ends when the
/// last handle is dropped.
#[derive(Clone, Debug)]
pub(super) struct ChatLookups {
    asks: mpsc::Sender<Ask>,
    /// Statements the reader has run so far (a batch, or a lookup read alone).
    #[cfg_attr(not(test), expect(dead_code, reason = "only tests read the count"))]
    reads: Arc<AtomicU64>,
}

impl ChatLookups {
    /// Starts the reader task on the current tokio runtime.
    pub(super) fn start(pool: AnyPool) -> ChatLookups {
        let (asks, waiting) = mpsc::channel(WAITING_MAX);
        let reads = Arc::new(AtomicU64::new(0));
        tokio::spawn(read_batches(pool, waiting, reads.clone()));
        ChatLookups { asks, reads }
    }

    /// Statements run so far: one per batch, or one per lookup read alone
    /// after a batch failed. For tests.
    #[cfg(test)]
    pub(super) fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Reads `lookup` with the lookups waiting beside it. `Err(lookup)` back
    /// when the reader is gone (its runtime ended): read it another way.
    pub(super) async fn find(&self, lookup: Lookup) -> Result<Result<LookedUp, StoreError>, Lookup> {
        let Ok(place) = self.asks.reserve().await else { return Err(lookup) };
        let (done, answer) = oneshot::channel();
        place.send(Ask { lookup: lookup.clone(), done });
        // The reader answers every lookup it takes, unless its runtime ended
        // in between: then read it here.
        answer.await.map_err(|_| lookup)
    }
}

async fn read_batches(pool: AnyPool, mut waiting: mpsc::Receiver<Ask>, reads: Arc<AtomicU64>) {
    let mut batch = Vec::with_capacity(LOOKUPS_PER_READ);
    while waiting.recv_many(&mut batch, LOOKUPS_PER_READ).await > 0 {
        let lookups: Vec<&Lookup> = batch.iter().map(|ask| &ask.lookup).collect();
        tracing::debug!(lookups = lookups.len(), "chat lookups read together");
        let read = match pool.acquire().await {
            Ok(mut conn) => read_all_on(&mut conn, &lookups).await,
            Err(err) => Err(err.into()),
        };
        match read {
            Ok(found) => {
                reads.fetch_add(1, Ordering::Relaxed);
                for (ask, found) in batch.drain(..).zip(found) {
                    // A caller that stopped waiting needs no answer.
                    let _ = ask.done.send(Ok(found));
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, lookups = batch.len(), "a batched chat lookup failed; reading each alone");
                for ask in batch.drain(..) {
                    reads.fetch_add(1, Ordering::Relaxed);
                    let Lookup { chat_id, participant_id, user_id } = &ask.lookup;
                    let _ = ask.done.send(with_participant_on(&pool, chat_id, *participant_id, *user_id).await);
                }
            }
        }
    }
}

/// A chat and, from a `LEFT JOIN`, a participant in it (see [`super::InstantChats::with_participant`]).
#[derive(sqlx::FromRow)]
struct ChatAndParticipant {
    #[sqlx(flatten)]
    chat: ChatRow,
    participant_id: Option<i64>,
    name: Option<String>,
    is_host: Option<i64>,
    user_id: Option<i64>,
    first_seen_id: Option<i64>,
}

impl ChatAndParticipant {
    fn split(self) -> (ChatRow, Option<ParticipantRow>) {
        let participant = match (self.participant_id, self.name, self.first_seen_id) {
            (Some(id), Some(name), Some(first_seen_id)) => Some(ParticipantRow {
                id,
                chat_id: self.chat.id.clone(),
                name,
                is_host: self.is_host.is_some_and(|h| h != 0),
                user_id: self.user_id,
                first_seen_id,
            }),
            _ => None,
        };
        (self.chat, participant)
    }
}

/// [`super::InstantChats::with_participant`] as a read of its own, on `pool`.
pub(super) async fn with_participant_on(
    pool: &AnyPool,
    id: &str,
    participant_id: Option<i64>,
    user_id: Option<i64>,
) -> Result<Option<(ChatRow, Option<ParticipantRow>)>, StoreError> {
    let row = sqlx::query_as::<_, ChatAndParticipant>(
        "SELECT c.id, c.title, c.keep_history, c.created_at, c.ends_at, c.ended_at,
                p.id AS participant_id, p.name, p.is_host, p.user_id, p.first_seen_id
         FROM instant_chats c
         LEFT JOIN instant_participants p
             ON p.chat_id = c.id AND p.left_at IS NULL AND (p.id = $2 OR p.user_id = $3)
         WHERE c.id = $1
         ORDER BY CASE WHEN p.id = $2 THEN 0 ELSE 1 END
         LIMIT 1",
    )
    .bind(id)
    .bind(participant_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(ChatAndParticipant::split))
}

/// A row of the batched read: which lookup it answers, and what it found.
#[derive(sqlx::FromRow)]
struct Numbered {
    n: i64,
    #[sqlx(flatten)]
    found: ChatAndParticipant,
}

/// Reads every lookup in one statement; the answers come in the lookups'
/// order. Per lookup, the same rules as [`with_participant_on`]: the
/// participant the cookie names if they have not left, else the one the
/// user account is in the chat as (an account is in a chat at most once).
/// Written with two subqueries, not one ordered by which matched: SQLite
/// does not let a subquery's `ORDER BY` name the outer row.
pub(super) async fn read_all_on(conn: &mut AnyConnection, lookups: &[&Lookup]) -> Result<Vec<LookedUp>, StoreError> {
    if lookups.is_empty() {
        return Ok(Vec::new());
    }
    let params = Params::of(conn);
    let asked = (0..lookups.len())
        .map(|i| {
            let p = |k: usize| params.nth(i * 4 + k);
            format!("(CAST({} AS BIGINT), {}, CAST({} AS BIGINT), CAST({} AS BIGINT))", p(1), p(2), p(3), p(4))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH asked (n, chat_id, participant_id, user_id) AS (VALUES {asked})
         SELECT a.n, c.id, c.title, c.keep_history, c.created_at, c.ends_at, c.ended_at,
                p.id AS participant_id, p.name, p.is_host, p.user_id, p.first_seen_id
         FROM asked a
         JOIN instant_chats c ON c.id = a.chat_id
         LEFT JOIN instant_participants p ON p.id = COALESCE(
             (SELECT q.id FROM instant_participants q
              WHERE q.id = a.participant_id AND q.chat_id = a.chat_id AND q.left_at IS NULL),
             (SELECT q.id FROM instant_participants q
              WHERE q.user_id = a.user_id AND q.chat_id = a.chat_id AND q.left_at IS NULL
              LIMIT 1))"
    );
    let mut query = sqlx::query_as::<_, Numbered>(&sql);
    for (n, lookup) in lookups.iter().enumerate() {
        query = query.bind(n as i64).bind(lookup.chat_id.as_str()).bind(lookup.participant_id).bind(lookup.user_id);
    }
    let mut found: Vec<LookedUp> = vec![None; lookups.len()];
    for row in query.fetch_all(&mut *conn).await? {
        if let Some(slot) = usize::try_from(row.n).ok().and_then(|n| found.get_mut(n)) {
            *slot = Some(row.found.split());
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
