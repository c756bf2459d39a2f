//! Group commit of room lines on SQLite (issue 6, S3).
//!
//! SQLite takes one writer at a time. With every line its own transaction,
//! tabs sending at once queue on the database lock, each waking in turn
//! (SQLite's busy handler sleeps between tries) and each commit appending
//! its own pages to the write-ahead log. Here one task writes instead: it
//! takes every line waiting, up to [`LINES_PER_COMMIT`], stores them in one
//! `BEGIN IMMEDIATE` transaction of three statements (one read of the
//! senders' rights to write, one multi-row `INSERT`, one `SELECT`), and
//! answers each sender after the commit,
//! so nothing is published before it is saved. This is the group commit of
//! server databases (PostgreSQL's `commit_delay`, MySQL's binary log group
//! commit) done in front of SQLite; PostgreSQL needs none of it.
//!
//! Order: a topic's lines are stored one at a time under its write lock
//! ([`crate::live::hub::Hub::store_and_publish`]), so a batch holds at most
//! one line per room, and ids still grow in the order lines are published.
//! A line refused by the database (its room deleted meanwhile) fails alone:
//! the batch is then stored line by line, and SQLite undoes the one
//! statement that failed, not the transaction. If the batch cannot
//! be committed, every sender in it gets the error and nothing of it is saved.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::{
    begin_write,
    messages::{insert_lines_on, LINES_PER_STATEMENT},
    StoreError,
};
use crate::live::{ChatMessage, MessageKind};

/// Most lines stored in one transaction (and one statement).
const LINES_PER_COMMIT: usize = LINES_PER_STATEMENT;
/// Lines that may wait for the writer before senders wait to hand theirs over.
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

struct Job {
    line: NewLine,
    done: oneshot::Sender<Stored>,
}

/// The handle to the writer task. Cheap to clone; the task ends when the
/// last handle is dropped.
#[derive(Clone, Debug)]
pub(super) struct LineWriter {
    jobs: mpsc::Sender<Job>,
}

impl LineWriter {
    /// Starts the writer task on the current tokio runtime.
    pub(super) fn start(pool: AnyPool) -> LineWriter {
        let (jobs, waiting) = mpsc::channel(WAITING_MAX);
        tokio::spawn(write_lines(pool, waiting));
        LineWriter { jobs }
    }

    /// Stores `line` with the lines waiting beside it; returns it once
    /// committed. `Err(line)` back when the writer is gone (its runtime
    /// ended): store it another way. Errors inside: the line's own, or the
    /// batch's ([`StoreError::Db`]); either way the line was not saved.
    pub(super) async fn write(&self, line: NewLine) -> Result<Stored, NewLine> {
        let (done, answer) = oneshot::channel();
        if let Err(refused) = self.jobs.send(Job { line, done }).await {
            return Err(refused.0.line);
        }
        // Dropped unanswered only if the writer's runtime ended mid-batch,
        // which rolls the transaction back.
        Ok(answer.await.unwrap_or(Err(StoreError::Db(sqlx::Error::WorkerCrashed))))
    }
}

async fn write_lines(pool: AnyPool, mut waiting: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(LINES_PER_COMMIT);
    while waiting.recv_many(&mut batch, LINES_PER_COMMIT).await > 0 {
        let lines: Vec<&NewLine> = batch.iter().map(|job| &job.line).collect();
        match write_batch(&pool, &lines).await {
            Ok(stored) => {
                for (job, stored) in batch.drain(..).zip(stored) {
                    let _ = job.done.send(stored);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, lines = batch.len(), "storing a batch of lines failed; none of them was saved");
                for job in batch.drain(..) {
                    let _ = job.done.send(Err(StoreError::Db(sqlx::Error::Protocol(format!("batch not saved: {e}")))));
                }
            }
        }
    }
}

/// Stores `lines` in one transaction, in three statements
/// ([`insert_lines_on`]); each line's own result, or the transaction's
/// error (nothing saved).
async fn write_batch(pool: &AnyPool, lines: &[&NewLine]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let stored = insert_lines_on(&mut tx, lines).await;
    tx.commit().await?;
    Ok(stored)
}
