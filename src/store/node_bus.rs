//! The SQL of the live bus between nodes ([`crate::live::bus`]): PostgreSQL
//! `NOTIFY` on one channel (<https://www.postgresql.org/docs/current/sql-notify.html>),
//! `LISTEN` on one connection per node, and session-level advisory locks on
//! topics (<https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS>).

use std::str::FromStr;

use sqlx::{
    pool::PoolConnection,
    postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions},
    Postgres,
};

use super::{redact, StoreError};

/// The PostgreSQL notification channel every node listens on.
pub const CHANNEL: &str = "roomlink_live";
/// First key of the two-key advisory locks on topics (a key space apart from
/// the one-key lock of [`super::begin_write`]).
pub const TOPIC_LOCK_CLASS: i32 = 0x524c;
/// Sends the notes `$2` on channel `$1`, in array order (since PostgreSQL
/// 9.6 the output list is evaluated after `ORDER BY`).
const RING: &str = "SELECT pg_notify($1, note) FROM unnest($2::text[]) WITH ORDINALITY AS n(note, i) ORDER BY i";
/// Connections a node keeps for ringing and for topic locks: at most this
/// many lines of different topics are announced at once.
const DOORBELL_POOL: u32 = 16;

/// One node's connections for the bus. Cheap to clone.
#[derive(Clone, Debug)]
pub struct NodeBus {
    pool: PgPool,
}

impl NodeBus {
    /// Connects to PostgreSQL at `database_url`. Errors: [`StoreError::Open`]
    /// (the message names the URL without its password).
    ///
    /// Its connections commit without waiting for the disk
    /// (`synchronous_commit = off`): they only send notifications and take
    /// locks, and a notification lost to a database crash is one that the
    /// tabs, which reconnect after it, catch up on anyway.
    pub async fn connect(database_url: &str) -> Result<NodeBus, StoreError> {
        let failed = |e: sqlx::Error| StoreError::Open(format!("live bus on {}: {e}", redact(database_url)));
        let options = PgConnectOptions::from_str(database_url).map_err(failed)?.options([("synchronous_commit", "off")]);
        let pool = PgPoolOptions::new().max_connections(DOORBELL_POOL).connect_with(options).await.map_err(failed)?;
        Ok(NodeBus { pool })
    }

    /// A connection of its own listening on [`CHANNEL`]. It reconnects by
    /// itself (notifications sent meanwhile are lost).
    pub async fn listener(&self) -> Result<PgListener, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(listener)
    }

    /// Sends `payloads` on [`CHANNEL`], in this order, in one statement.
    pub async fn ring(&self, payloads: &[String]) -> Result<(), StoreError> {
        sqlx::query(RING)
            .bind(CHANNEL)
            .bind(payloads)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Announces new lines of instant chats without history, any number in
    /// one statement, one round trip: `lines` are (topic, pieces) pairs. The
    /// database function `roomlink_announce_lines` (migration 0003) takes
    /// the transaction-level advisory lock of every topic among them, gives
    /// each line the next id of the `instant_memory_line_ids` sequence, in
    /// order, and sends each of its pieces with the id and a space in front
    /// (see [`crate::live::bus::wire`]). The locks are let go at commit,
    /// after the notifications are queued, so a topic's lines are announced
    /// in id order, across nodes. Returns the ids, in the order of `lines`.
    /// Errors: [`StoreError::Db`]; then none of them was announced.
    pub async fn announce_new_lines(&self, lines: &[(&str, &[String])]) -> Result<Vec<i64>, StoreError> {
        let topics: Vec<&str> = lines.iter().map(|(topic, _)| *topic).collect();
        let counts: Vec<i32> = lines.iter().map(|(_, pieces)| pieces.len() as i32).collect();
        let pieces: Vec<&str> = lines.iter().flat_map(|(_, pieces)| pieces.iter().map(String::as_str)).collect();
        let ids: Vec<i64> = sqlx::query_scalar("SELECT roomlink_announce_lines($1, $2, $3, $4, $5)")
            .bind(CHANNEL)
            .bind(TOPIC_LOCK_CLASS)
            .bind(topics)
            .bind(counts)
            .bind(pieces)
            .fetch_one(&self.pool)
            .await?;
        Ok(ids)
    }

    /// Takes the advisory lock of `topic` (waiting for any other node holding
    /// it) on a connection kept until [`TopicHold::ring_and_release`].
    pub async fn hold(&self, topic: &str) -> Result<TopicHold, StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1, hashtext($2))").bind(TOPIC_LOCK_CLASS).bind(topic).execute(&mut *conn).await?;
        Ok(TopicHold { conn, topic: topic.to_string() })
    }
}

/// A topic's advisory lock, held on its own connection.
pub struct TopicHold {
    conn: PoolConnection<Postgres>,
    topic: String,
}

impl TopicHold {
    /// Sends `payloads` (none is fine) on [`CHANNEL`], in order, then lets
    /// go of the lock: two statements, so that the notifications are
    /// committed (queued) before another node can take the lock and
    /// announce the topic's next line. In one statement the unlock would
    /// come before that statement's commit, and a line could overtake the
    /// one before it. If either fails, the connection is closed, which lets
    /// go of the lock for certain. Errors: the notifications could not be sent.
    pub async fn ring_and_release(mut self, payloads: &[String]) -> Result<(), StoreError> {
        let mut done = Ok(());
        if !payloads.is_empty() {
            done = sqlx::query(RING)
            .bind(CHANNEL)
            .bind(payloads)
            .execute(&mut *self.conn)
            .await
            .map(|_| ());
        }
        if done.is_ok() {
            done = sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2))")
                .bind(TOPIC_LOCK_CLASS)
                .bind(&self.topic)
                .execute(&mut *self.conn)
                .await
                .map(|_| ());
        }
        if done.is_err() {
            drop(self.conn.detach());
        }
        done?;
        Ok(())
    }
}
