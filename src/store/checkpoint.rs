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
//!
//! Under a steady stream of lines that never happens by itself: a PASSIVE
//! checkpoint copies the log as it was when it began, the writer appends
//! more meanwhile, and the log is never wholly copied when the next commit
//! looks (issue 6, S3: the `-wal` file grew to 612 MB in two minutes, and
//! every commit paid for growing it). So once a checkpoint is done, the
//! writer itself runs another between two batches ([`Checkpoints::finish`]):
//! it has only the frames appended during the first to copy, nothing is
//! appended while it runs, and the next commit starts the log over.
//! [`WAL_KEPT_BYTES`] then bounds what the file keeps of its largest size.

use std::time::Duration;

use sqlx::{AnyConnection, AnyPool};
use tokio::{task::JoinHandle, time::Instant};

/// How often the writer starts a checkpoint, idle or busy.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Run on every connection of the pool the writer uses: no commit runs a
/// checkpoint itself.
pub(super) const AUTOCHECKPOINT_OFF: &str = "PRAGMA wal_autocheckpoint = 0";

/// Bytes of the `-wal` file SQLite keeps when it starts the log over
/// (`journal_size_limit`, <https://sqlite.org/pragma.html#pragma_journal_size_limit>):
/// a busy second's worth, so that the log is not grown again every second,
/// and not the largest it ever was.
pub(super) const WAL_KEPT_BYTES: u64 = 64 * 1024 * 1024;

/// Run on every connection: what the `-wal` file keeps when the log starts over.
pub(super) const WAL_KEPT: &str = "PRAGMA journal_size_limit = 67108864";
const _: () = assert!(WAL_KEPT_BYTES == 67_108_864, "WAL_KEPT names the same size");

/// The writer's schedule of checkpoints, one at a time.
pub(super) struct Checkpoints {
    pool: AnyPool,
    next: Instant,
    /// The last checkpoint started; a due one is skipped while it runs.
    last: Option<JoinHandle<()>>,
    /// Set when a checkpoint started, until the writer finished it.
    unfinished: bool,
}

impl Checkpoints {
    /// The first checkpoint is due [`CHECKPOINT_EVERY`] from now.
    pub(super) fn new(pool: AnyPool) -> Checkpoints {
        Checkpoints { pool, next: Instant::now() + CHECKPOINT_EVERY, last: None, unfinished: false }
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
        self.unfinished = true;
        self.last = Some(tokio::spawn(async move {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::warn!(error = %e, "a WAL checkpoint failed");
            }
        }));
    }
}

impl Checkpoints {
    /// True when a checkpoint started by [`Checkpoints::start`] is done and
    /// the writer has yet to finish it.
    pub(super) fn finish_due(&self) -> bool {
        self.unfinished && self.last.as_ref().is_some_and(JoinHandle::is_finished)
    }

    /// Copies, on the writer's own connection `conn` and between two of its
    /// batches, what was appended to the log during the last checkpoint, so
    /// that the whole log is copied and the next commit starts it over. A
    /// failure is logged; the next checkpoint tries again.
    pub(super) async fn finish(&mut self, conn: &mut AnyConnection) {
        self.unfinished = false;
        if let Err(e) = sqlx::Executor::execute(&mut *conn, "PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!(error = %e, "finishing a WAL checkpoint failed");
        }
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

    /// The checkpoint sequence number in a `-wal` file's header (bytes 12
    /// to 15, big-endian, <https://sqlite.org/fileformat2.html#walformat>):
    /// SQLite adds one each time the log starts over.
    fn log_restarts(wal: &std::path::Path) -> u32 {
        let header = std::fs::read(wal).map(|b| b.get(12..16).map(|s| s.to_vec())).ok().flatten();
        header.map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// With lines stored without a pause for several checkpoints, the log
    /// still starts over (without the writer's finishing checkpoint it
    /// never did: each checkpoint left what was appended while it ran).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_log_written_without_pause_still_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roomlink.db");
        let wal = dir.path().join("roomlink.db-wal");
        let store = Store::open(&format!("sqlite://{}", file.display())).await.unwrap();
        let ana = store.users().create("ana", "not a real hash", 1).await.unwrap();
        let room = store.rooms().create("Busy", ana.id, 1).await.unwrap();
        let before = log_restarts(&wal);
        let until = std::time::Instant::now() + super::CHECKPOINT_EVERY * 4;
        let writers = (0..4).map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let body = "x".repeat(1_000);
                let mut n = 0;
                while std::time::Instant::now() < until {
                    store.messages().insert(room, ana.id, &format!("w{w}-{n}"), &body, n).await.unwrap();
                    n += 1;
                }
                n
            })
        });
        let mut lines = 0;
        for writer in futures::future::join_all(writers).await {
            lines += writer.unwrap();
        }
        let after = log_restarts(&wal);
        assert!(lines > 1_000, "the writers kept the log busy: {lines} lines");
        assert!(after > before, "the log never started over in {lines} lines (checkpoint sequence {before} -> {after})");
    }
}
