//! The SQL of the live bus between nodes ([`crate::live::bus`]): PostgreSQL
//! `NOTIFY` on one channel (<https://www.postgresql.org/docs/current/sql-notify.html>),
//! `LISTEN` on one connection per node, and session-level advisory locks on
//! topics (<https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS>).

use sqlx::{
    pool::PoolConnection,
    postgres::{PgListener, PgPool, PgPoolOptions},
    Postgres,
};

use super::{redact, StoreError};

/// The PostgreSQL notification channel every node listens on.
pub const CHANNEL: &str = "roomlink_live";
/// First key of the two-key advisory locks on topics (a key space apart from
/// the one-key lock of [`super::begin_write`]).
const TOPIC_LOCK_CLASS: i32 = 0x524c;
/// Connections a node keeps for ringing and for topic locks.
const DOORBELL_POOL: u32 = 8;

/// One node's connections for the bus. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Doorbell {
    pool: PgPool,
}

impl Doorbell {
    /// Connects to PostgreSQL at `database_url`. Errors: [`StoreError::Open`]
    /// (the message names the URL without its password).
    pub async fn connect(database_url: &str) -> Result<Doorbell, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(DOORBELL_POOL)
            .connect(database_url)
            .await
            .map_err(|e| StoreError::Open(format!("live bus on {}: {e}", redact(database_url))))?;
        Ok(Doorbell { pool })
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
        sqlx::query("SELECT pg_notify($1, note) FROM unnest($2::text[]) WITH ORDINALITY AS n(note, i) ORDER BY i")
            .bind(CHANNEL)
            .bind(payloads)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Takes the advisory lock of `topic` (waiting for any other node holding
    /// it) on a connection kept until [`TopicHold::release`].
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
    /// Sends `payload` on [`CHANNEL`] while the lock is held, so notes of
    /// one topic go out in lock order.
    pub async fn ring(&mut self, payload: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&mut *self.conn).await?;
        Ok(())
    }

    /// Lets go of the lock. If that fails, the connection is closed, which
    /// lets go of it for certain.
    pub async fn release(mut self) {
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2))")
            .bind(TOPIC_LOCK_CLASS)
            .bind(&self.topic)
            .execute(&mut *self.conn)
            .await;
        if unlocked.is_err() {
            drop(self.conn.detach());
        }
    }
}
