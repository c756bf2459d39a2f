//! New lines of instant chats without history leave a node in batches: what
//! waits while earlier statements are out goes together in the next one
//! ([`NodeBus::announce_new_lines`]), so that a busy node costs PostgreSQL
//! one statement, one commit and one wake-up of each listening node per
//! batch rather than per line. An idle node sends each line at once, alone.
//!
//! Order needs nothing from here: a node announces at most one line of a
//! topic at a time (the hub's write lock), and in the database the topic's
//! lock and its ids are taken inside the statement.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Semaphore};

use crate::store::{node_bus::NodeBus, StoreError};

/// Lines announced in one statement at most.
const LINES_PER_STATEMENT: usize = 64;
/// Statements out at once; past that, lines wait and go in a bigger batch.
const STATEMENTS_IN_FLIGHT: usize = 4;

/// A line waiting to be announced.
struct Waiting {
    topic: String,
    pieces: Vec<String>,
    reply: oneshot::Sender<Result<i64, StoreError>>,
}

/// This node's queue of lines to announce. Made by [`Announcer::start`].
pub(super) struct Announcer {
    queue: mpsc::UnboundedSender<Waiting>,
}

impl Announcer {
    /// Starts the task that announces queued lines with `node_bus`.
    pub(super) fn start(node_bus: NodeBus) -> Announcer {
        let (queue, waiting) = mpsc::unbounded_channel();
        tokio::spawn(announce(node_bus, waiting));
        Announcer { queue }
    }

    /// Announces a line of `topic` sent as `pieces` (see [`super::wire`]);
    /// returns the id PostgreSQL gave it. Errors: [`StoreError::Db`], when
    /// the statement failed (the line was not announced) or the task is gone.
    pub(super) async fn announce(&self, topic: String, pieces: Vec<String>) -> Result<i64, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(Waiting { topic, pieces, reply }).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

fn gone() -> StoreError {
    StoreError::Db(sqlx::Error::Protocol("the live bus announcer stopped".into()))
}

/// Takes what is waiting whenever a statement slot is free and sends it as one batch.
async fn announce(node_bus: NodeBus, mut waiting: mpsc::UnboundedReceiver<Waiting>) {
    let slots = Arc::new(Semaphore::new(STATEMENTS_IN_FLIGHT));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        let Some(first) = waiting.recv().await else { return };
        let mut batch = vec![first];
        while batch.len() < LINES_PER_STATEMENT {
            match waiting.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        let node_bus = node_bus.clone();
        tokio::spawn(async move {
            let lines: Vec<(&str, &[String])> = batch.iter().map(|w| (w.topic.as_str(), w.pieces.as_slice())).collect();
            match node_bus.announce_new_lines(&lines).await {
                Ok(ids) => {
                    for (line, id) in batch.into_iter().zip(ids) {
                        let _ = line.reply.send(Ok(id));
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, lines = batch.len(), "announcing lines on the live bus failed");
                    let text = e.to_string();
                    for line in batch {
                        let _ = line.reply.send(Err(StoreError::Db(sqlx::Error::Protocol(text.clone()))));
                    }
                }
            }
            drop(slot);
        });
    }
}
