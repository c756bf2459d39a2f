//! Group commit on SQLite (issue 6, S3 and S5): room lines and invite
//! accepts, stored by one task in shared transactions.
//!
//! SQLite takes one writer at a time. With every line or accept its own
//! transaction, senders queue on the database lock, each waking in turn and
//! each commit appending its own pages to the write-ahead log. Here one task
//! writes instead: it takes every job waiting, up to [`JOBS_PER_COMMIT`],
//! stores them in one `BEGIN IMMEDIATE` transaction (the accepts as one group,
//! [`super::invite_accepts`], then the lines as one statement that also
//! checks the senders' rights to write, [`insert_lines_on`]; lines alone are
//! that one statement and no `BEGIN`), and answers each sender after the
//! commit, so nothing is published or confirmed before it is saved. It keeps
//! one connection of its own, with a larger page cache: SQLite empties a
//! connection's cache whenever another one wrote. This is the group commit of
//! server databases (PostgreSQL's `commit_delay`, MySQL's binary log group
//! commit) done in front of SQLite; PostgreSQL needs none of it.
//!
//! Order: jobs are stored in the order they were queued, so a line's id is
//! above those of every line queued before it. A topic's lines are queued
//! one at a time under its write lock, and published in that order
//! ([`crate::live::hub::Hub::queue_and_publish`]): several lines of one room
//! share a commit, and ids still go out in order. Accepts are applied in the
//! order they arrived.
//!
//! Stopping: [`GroupCommit::settled`] waits until every job queued before
//! it is answered, so a line committed after its sender was answered (a
//! "joined" line) is saved before the server's runtime ends.
//!
//! Checkpoints: the writer also starts SQLite's WAL checkpoints, on another
//! connection, so that no commit waits for one ([`super::checkpoint`]).
//!
//! Failures: a line refused by the database (its room deleted meanwhile)
//! fails alone: the lines are then stored one by one, and SQLite undoes the
//! one statement that failed, not the transaction. If the batch fails
//! otherwise (an accept's statement, or the commit), it is rolled back and
//! every job is tried again in a transaction of its own, so one bad job
//! cannot sink the others; a job that fails alone gets its error and nothing
//! of it is saved.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

use super::{
    write_transactions::write_queue,
    checkpoint::Checkpoints,
    invite_accepts::{accept_all_on, Acceptance, ACCEPTS_PER_GROUP},
    message_inserts::{insert_lines_on, LINES_PER_STATEMENT},
    Accepted, StoreError,
};
use crate::types::timeline::{ChatMessage, MessageKind};

/// Most jobs (lines and accepts together) stored in one transaction.
const JOBS_PER_COMMIT: usize = if LINES_PER_STATEMENT < ACCEPTS_PER_GROUP { LINES_PER_STATEMENT } else { ACCEPTS_PER_GROUP };
/// Jobs that may wait for the writer before senders wait to hand theirs over.
const WAITING_MAX: usize = 4_096;

/// A room line to store (see [`super::Messages`] for the columns).
#[derive(Debug, Clone)]
pub(super) struct NewLine {
    pub room_id: i64,
    pub author_id: i64,
    pub kind: MessageKind,
    pub actor_id: Option<i64>,
    pub invite_id: Option<i64>,
    pub client_id: String,
    pub body: String,
    pub created_at: i64,
    /// A member's own send: stored only if they may write in the room
    /// then (system lines, such as "joined", are not checked).
    pub needs_write_right: bool,
}

/// What storing a line gives: the line as stored, and whether it is new.
type Stored = Result<(ChatMessage, bool), StoreError>;

enum Job {
    Line { line: NewLine, done: oneshot::Sender<Stored> },
    Accept { ask: Acceptance, done: oneshot::Sender<Result<Accepted, StoreError>> },
    /// Answered once every job queued before it has been stored or refused.
    Settle { done: oneshot::Sender<()> },
}

/// The handle to the writer task. Cheap to clone; the task ends when the
/// last handle is dropped.
#[derive(Clone, Debug)]
pub(super) struct GroupCommit {
    jobs: mpsc::Sender<Job>,
    /// Transactions the writer has committed so far.
    commits: Arc<AtomicU64>,
}

impl GroupCommit {
    /// Starts the writer task on the current tokio runtime.
    pub(super) fn start(pool: AnyPool) -> GroupCommit {
        let (jobs, waiting) = mpsc::channel(WAITING_MAX);
        let commits = Arc::new(AtomicU64::new(0));
        tokio::spawn(write_batches(pool, waiting, commits.clone()));
        GroupCommit { jobs, commits }
    }

    /// Transactions committed so far (a batch, or a job retried alone).
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Hands `line` to the writer, to be stored with the jobs waiting beside
    /// it, and returns once it is in the queue: its id will be above those of
    /// every line queued before it. Awaiting the answer gives the line once
    /// committed. `Err(line)` back when the writer is gone (its runtime
    /// ended): store it another way.
    pub(super) async fn queue(&self, line: NewLine) -> Result<Answer, NewLine> {
        let Ok(place) = self.jobs.reserve().await else { return Err(line) };
        let (done, answer) = oneshot::channel();
        place.send(Job::Line { line, done });
        Ok(Answer(answer))
    }

    /// Returns once every job queued before this call has been stored or
    /// refused (its sender answered), for a server that is stopping: a line
    /// still queued when the last request ended (its request cut off by the
    /// shutdown grace) is then saved, not lost with the runtime. Returns at
    /// once when the writer is gone.
    pub(super) async fn settled(&self) {
        let Ok(place) = self.jobs.reserve().await else { return };
        let (done, answer) = oneshot::channel();
        place.send(Job::Settle { done });
        let _ = answer.await;
    }

    /// Accepts an invite with the jobs waiting beside it; answers once
    /// committed. `Err(ask)` back when the writer is gone: accept it another
    /// way. Errors inside: the database's; nothing of this accept was saved.
    pub(super) async fn accept(&self, ask: Acceptance) -> Result<Result<Accepted, StoreError>, Acceptance> {
        let Ok(place) = self.jobs.reserve().await else { return Err(ask) };
        let (done, answer) = oneshot::channel();
        place.send(Job::Accept { ask, done });
        Ok(answered(answer).await)
    }
}

/// The writer's answer about a queued line.
#[derive(Debug)]
pub(super) struct Answer(oneshot::Receiver<Stored>);

impl Answer {
    /// The line as stored once committed. Errors: the line's own, or the
    /// batch's ([`StoreError::Db`]); either way the line was not saved.
    pub(super) async fn stored(self) -> Stored {
        answered(self.0).await
    }
}

/// The writer's answer; a dropped answer means the writer's runtime ended
/// mid-batch, which rolls the transaction back.
async fn answered<T>(answer: oneshot::Receiver<Result<T, StoreError>>) -> Result<T, StoreError> {
    answer.await.unwrap_or(Err(StoreError::Db(sqlx::Error::WorkerCrashed)))
}

async fn write_batches(pool: AnyPool, mut waiting: mpsc::Receiver<Job>, commits: Arc<AtomicU64>) {
    let mut batch = Vec::with_capacity(JOBS_PER_COMMIT);
    let mut checkpoints = Checkpoints::new(pool.clone());
    // This process's other writers wait while a batch is written, as for `begin_write`.
    let queue = write_queue(&pool);
    let mut own: Option<AnyConnection> = None;
    loop {
        let taken = tokio::select! {
            taken = waiting.recv_many(&mut batch, JOBS_PER_COMMIT) => taken,
            () = checkpoints.due() => {
                checkpoints.start();
                continue;
            }
        };
        if taken == 0 {
            break; // every handle dropped
        }
        let mut conn = match own.take() {
            Some(conn) => conn,
            None => match writer_connection(&pool).await {
                Ok(conn) => conn,
                Err(e) => {
                    answer_all(batch.drain(..), Err(e));
                    continue;
                }
            },
        };
        let _turn = match &queue {
            Some(queue) => Some(queue.lock().await),
            None => None,
        };
        let written = match write_batch(&mut conn, &batch, &commits).await {
            Err(e) if batch.len() > 1 => {
                tracing::warn!(error = %e, jobs = batch.len(), "a batch failed; storing its jobs one at a time");
                for job in batch.drain(..) {
                    let outcome = write_batch(&mut conn, std::slice::from_ref(&job), &commits).await;
                    answer_all(std::iter::once(job), outcome);
                }
                false
            }
            outcome => {
                let written = outcome.is_ok();
                answer_all(batch.drain(..), outcome);
                written
            }
        };
        // After a failure the next batch starts on a fresh connection.
        if written {
            if checkpoints.finish_due() {
                checkpoints.finish(&mut conn).await;
            }
            own = Some(conn);
        }
    }
}

/// Page cache of the writer's connection, in KiB: big enough to keep the
/// index pages a busy server's lines go to (one per room in
/// `messages_room`, one per author in the `(author_id, client_id)` index),
/// which SQLite's default 2,000 KiB could not (issue 6, S3: the writer read
/// pages back from the file system on every batch).
const WRITER_CACHE_KIB: i64 = 16 * 1024;

/// The writer's own connection, taken out of the pool for good (the pool
/// opens another in its place): SQLite empties a connection's page cache
/// whenever another connection wrote since it last read, so a writer that
/// took whichever pooled connection was free read every page again, batch
/// after batch (issue 6, S3). Errors: no connection could be opened.
async fn writer_connection(pool: &AnyPool) -> Result<AnyConnection, StoreError> {
    let mut conn = pool.acquire().await?.detach();
    sqlx::Executor::execute(&mut conn, format!("PRAGMA cache_size = -{WRITER_CACHE_KIB}").as_str()).await?;
    Ok(conn)
}

/// What a committed batch gives its jobs: the accepts' results and the
/// lines', each in the order of those jobs in the batch.
struct Committed {
    accepted: std::vec::IntoIter<Accepted>,
    stored: std::vec::IntoIter<Stored>,
}

/// Answers each job from `outcome`: its own result if the batch committed,
/// else the error that rolled the batch back (nothing of the job was saved).
fn answer_all(jobs: impl Iterator<Item = Job>, mut outcome: Result<Committed, StoreError>) {
    // Each statement answers one row per job it was given; a missing row would be a bug.
    let missing = || StoreError::Db(sqlx::Error::RowNotFound);
    let not_saved = |e: &StoreError| StoreError::Db(sqlx::Error::Protocol(format!("not saved: {e}")));
    for job in jobs {
        match (job, &mut outcome) {
            (Job::Line { done, .. }, Ok(c)) => drop(done.send(c.stored.next().unwrap_or_else(|| Err(missing())))),
            (Job::Accept { done, .. }, Ok(c)) => drop(done.send(c.accepted.next().ok_or_else(missing))),
            (Job::Line { done, .. }, Err(e)) => drop(done.send(Err(not_saved(e)))),
            (Job::Accept { done, .. }, Err(e)) => drop(done.send(Err(not_saved(e)))),
            (Job::Settle { done }, _) => drop(done.send(())),
        }
    }
}

/// Stores `jobs` on the writer's connection `conn` in one transaction: the
/// accepts as one group, then the lines ([`insert_lines_on`]); lines alone
/// are one statement, its own transaction. Their results, or the error that
/// rolled the transaction back (nothing saved). Counts the commit in `commits`.
async fn write_batch(conn: &mut AnyConnection, jobs: &[Job], commits: &AtomicU64) -> Result<Committed, StoreError> {
    let asks: Vec<&Acceptance> = jobs.iter().filter_map(|j| if let Job::Accept { ask, .. } = j { Some(ask) } else { None }).collect();
    let lines: Vec<&NewLine> = jobs.iter().filter_map(|j| if let Job::Line { line, .. } = j { Some(line) } else { None }).collect();
    if asks.is_empty() && lines.is_empty() {
        return Ok(Committed { accepted: Vec::new().into_iter(), stored: Vec::new().into_iter() }); // only waiting to settle
    }
    if asks.is_empty() {
        // Lines alone: their one statement is its own transaction (no
        // `BEGIN` and `COMMIT`: two round trips fewer to SQLite's thread).
        let stored = insert_lines_on(conn, &lines).await;
        commits.fetch_add(1, Ordering::Relaxed);
        return Ok(Committed { accepted: Vec::new().into_iter(), stored: stored.into_iter() });
    }
    let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
    let accepted = accept_all_on(&mut tx, &asks).await?;
    let stored = insert_lines_on(&mut tx, &lines).await;
    tx.commit().await?;
    commits.fetch_add(1, Ordering::Relaxed);
    Ok(Committed { accepted: accepted.into_iter(), stored: stored.into_iter() })
}
