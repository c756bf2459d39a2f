//! Transactions that read and then write: serialised with every other such
//! transaction, on SQLite by this process's queue for the file and `BEGIN
//! IMMEDIATE`, on PostgreSQL by a transaction-level advisory lock (see the
//! store's module documentation).

use sqlx::{Any, AnyPool, Transaction};

use super::WRITE_LOCK_KEY;

/// Starts a transaction that reads and then writes, serialised with every
/// other such transaction (see the module documentation): `BEGIN IMMEDIATE` on
/// SQLite, `BEGIN` plus a transaction-level advisory lock on PostgreSQL.
///
/// On SQLite, writers of this process first queue for the file's turn
/// ([`write_turn`]), so that `BEGIN IMMEDIATE` finds the lock free instead of
/// sleeping in SQLite's busy handler (1, 2, 5, 10… ms between tries, see
/// `sqliteDefaultBusyCallback`), which capped invite accepts (S5 in `crate::bench`).
pub async fn begin_write(pool: &AnyPool) -> Result<WriteTx, sqlx::Error> {
    if let Some(queue) = write_queue(pool) {
        let turn = queue.lock_owned().await;
        let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        return Ok(WriteTx { tx, _turn: Some(turn) });
    }
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(WRITE_LOCK_KEY).execute(&mut *tx).await?;
    Ok(WriteTx { tx, _turn: None })
}

/// This process's queue of writers to the database of `pool` ([`write_turn`]),
/// for [`begin_write`] and for a writer that brings its own connection (the
/// group commit writer, which holds the queue's lock while it writes, so
/// every [`begin_write`] of this process waits meanwhile). `None` on
/// PostgreSQL, which needs no such queue.
pub(crate) fn write_queue(pool: &AnyPool) -> Option<std::sync::Arc<tokio::sync::Mutex<()>>> {
    let url = &pool.connect_options().database_url;
    (url.scheme() == "sqlite").then(|| write_turn(url.as_str()))
}

/// The queue of this process's writers to the SQLite file at `url`: one per
/// file, because SQLite's write lock is one per file, whichever pool asks.
/// Kept for the life of the process (one small entry per database opened).
/// Another process writing the same file still meets SQLite's busy handler.
fn write_turn(url: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static TURNS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>> =
        std::sync::LazyLock::new(Default::default);
    let mut turns = TURNS.lock().unwrap_or_else(|p| p.into_inner());
    turns.entry(url.to_owned()).or_default().clone()
}

/// A transaction from [`begin_write`]; on SQLite it holds this process's
/// write turn until it commits or is dropped (which rolls it back). Use it
/// as a connection (`&mut *tx`).
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commits the transaction, then lets the next writer in.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}
