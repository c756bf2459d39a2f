//! WAL checkpoints off the writer's path (issue 6, S3).
//!
//! In WAL mode SQLite appends each commit to the `-wal` file and copies the
//! pages back into the database file in a checkpoint. By default the commit
//! that takes the log past 1,000 pages runs that checkpoint itself
//! (`wal_autocheckpoint`, <https://sqlite.org/wal.html#automatic_checkpoint>):
//! the group commit writer ([`super::group_commit`]), and every line and
//! accept waiting on it, then also wait for the copy and the database file's
//! fsync. Here the pool's connections have automatic checkpoints off
//! ([`AUTOCHECKPOINT_OFF`]) and the writer starts a `PASSIVE` checkpoint on
//! another connection every [`CHECKPOINT_EVERY`]: it copies what no reader
//! still needs while the writer goes on appending
//! (<https://sqlite.org/c3ref/wal_checkpoint_v2.html>), and SQLite starts the
//! log over from its beginning once everything in it has been copied.

use std::time::Duration;

use sqlx::AnyPool;
use tokio::{task::JoinHandle, time::Instant};

/// How often the writer starts a checkpoint, idle or busy.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Run on every connection of the pool the writer uses: no commit runs a
/// checkpoint itself.
pub(super) const AUTOCHECKPOINT_OFF: &str = "PRAGMA wal_autocheckpoint = 0";

/// The writer's schedule of checkpoints, one at a time.
pub(super) struct Checkpoints {
    pool: AnyPool,
    next: Instant,
    /// The last checkpoint started; a due one is skipped while it runs.
    last: Option<JoinHandle<()>>,
}

impl Checkpoints {
    /// The first checkpoint is due [`CHECKPOINT_EVERY`] from now.
    pub(super) fn new(pool: AnyPool) -> Checkpoints {
        Checkpoints { pool, next: Instant::now() + CHECKPOINT_EVERY, last: None }
    }

    /// Resolves when the next checkpoint is due.
    pub(super) async fn due(&self) {
        tokio::time::sleep_until(self.next).await;
    }

    /// Starts a checkpoint in its own task, unless the last one still runs,
    /// and sets the next [`CHECKPOINT_EVERY`] from now. A checkpoint that
    /// fails is logged; the next one copies what it left.
    pub(super) fn start(&mut self) {
        self.next = Instant::now() + CHECKPOINT_EVERY;
        if self.last.as_ref().is_some_and(|last| !last.is_finished()) {
            return;
        }
        let pool = self.pool.clone();
        self.last = Some(tokio::spawn(async move {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::warn!(error = %e, "a WAL checkpoint failed");
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    /// On SQLite no commit checkpoints by itself, and lines the writer
    /// stored reach the database file within a few of the writer's
    /// checkpoints, with no other writes to start one.
    #[tokio::test]
    async fn the_writer_checkpoints_the_log_and_commits_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roomlink.db");
        let store = Store::open(&format!("sqlite://{}", file.display())).await.unwrap();
        let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(store.pool()).await.unwrap();
        assert_eq!(auto, 0, "commits must not checkpoint by themselves");
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let before = size();

        let ana = store.users().create("ana", "not a real hash", 1).await.unwrap();
        let room = store.rooms().create("Checkpointed", ana.id, 1).await.unwrap();
        // About 400 KiB: well under the 1,000 pages (4 MiB) at which SQLite's
        // own automatic checkpoint would copy them.
        let body = "x".repeat(2_000);
        let sends = (0..200).map(|i| {
            let (messages, body) = (store.messages(), &body);
            async move { messages.insert(room, ana.id, &format!("c{i}"), body, i).await.map(|_| ()) }
        });
        for sent in futures::future::join_all(sends).await {
            sent.unwrap();
        }
        let deadline = std::time::Instant::now() + super::CHECKPOINT_EVERY * 5;
        while size() < before + 300_000 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(size() >= before + 300_000, "the lines were not copied into the database file: {before} -> {} bytes", size());
    }
}
