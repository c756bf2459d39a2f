//! How a topic's new lines are numbered and published in order.
//!
//! On one node a line takes its id under the topic's write lock: it is
//! stored there, or queued for SQLite's group commit writer, which gives ids
//! in queue order ([`crate::store::Queued`]). Each line then takes a
//! [`PublishTurn`] and is published only after the line before it, so a socket
//! never sees a lower id after a higher one (it skips ids below what it has
//! sent). A queued line lets go of the lock as soon as it is queued, so the
//! lines of a busy room share one commit instead of one commit each. Across
//! nodes, lines are numbered and published under PostgreSQL's lock through
//! the bus.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::{Hub, HubEvent, TopicChannel};
#[cfg(doc)]
use crate::live::bus::Bus;
use crate::{
    live::{ChatMessage, Topic},
    store::{Queued, StoreError},
};

/// A line's turn to publish: it waits for the turn of the line that took
/// its id just before it; dropping it lets the next one go (also when the
/// line was not stored, or its task was cancelled).
pub(super) struct PublishTurn {
    before: Option<oneshot::Receiver<()>>,
    _done: oneshot::Sender<()>,
}

impl TopicChannel {
    /// The next turn. Take it under the write lock, right after the line
    /// took its id.
    fn take_turn(&self) -> PublishTurn {
        let (done, after) = oneshot::channel();
        let before = self.last_turn.lock().unwrap_or_else(|p| p.into_inner()).replace(after);
        PublishTurn { before, _done: done }
    }

    /// Publishes `stored` in `turn`: after the line before it, and only a
    /// new line (a retry of a stored one is not shown again).
    async fn publish_line(&self, topic: &Topic, mut turn: PublishTurn, stored: &Result<(ChatMessage, bool), impl Sized>) {
        if let Some(before) = turn.before.take() {
            // `Err`: the line before dropped its turn; it is done either way.
            let _ = before.await;
        }
        if let Ok((message, true)) = stored {
            self.typing_along(topic);
            // No receivers is fine: nobody is watching the room right now.
            let _ = self.sender.send(Arc::new(HubEvent::message(message)));
        }
    }
}

/// A line that has its place in its topic's order ([`Hub::queue_line`]),
/// not yet committed or published.
pub struct PendingLine(Pending);

enum Pending {
    /// Queued for the writer, to publish in its turn once committed.
    Queued { channel: Arc<TopicChannel>, topic: Topic, queued: Queued, turn: PublishTurn },
    /// Already stored and published (several nodes), or refused.
    Done(Result<(ChatMessage, bool), StoreError>),
}

impl PendingLine {
    /// Waits for the commit and publishes the line in its turn. Returns the
    /// line and whether it was new. Errors: the store's; nothing was stored or published.
    pub async fn published(self) -> Result<(ChatMessage, bool), StoreError> {
        match self.0 {
            Pending::Queued { channel, topic, queued, turn } => {
                let stored = queued.stored().await;
                channel.publish_line(&topic, turn, &stored).await;
                stored
            }
            Pending::Done(stored) => stored,
        }
    }
}

impl Hub {
    /// Stores a line with `store` and, when it was new, publishes it to the
    /// topic, all under the topic's write lock. Returns what `store` returned:
    /// the line and whether it was new (a retry returns the original).
    ///
    /// With several nodes, the lock is PostgreSQL's, across nodes, and the
    /// line goes out through the bus (see [`Bus::store_and_announce`]).
    /// Errors: `store`'s, or the bus's as [`StoreError`].
    pub(in crate::live) async fn store_and_publish<F, Fut, E>(&self, topic: &Topic, store: F) -> Result<(ChatMessage, bool), E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(ChatMessage, bool), E>>,
        E: From<StoreError>,
    {
        let channel = self.channel(topic);
        let _in_order = channel.write_lock.lock().await;
        if let Some(bus) = self.bus.get() {
            return bus.store_and_announce(topic, store).await;
        }
        let stored = store().await;
        let turn = channel.take_turn();
        channel.publish_line(topic, turn, &stored).await;
        stored
    }

    /// As [`Hub::store_and_publish`], for a line `queue` hands to the store
    /// ([`Queued`]): the write lock is held only while the line is queued,
    /// then the line is published in its turn once committed. Lines of one
    /// room thus share the writer's commits (issue 6, S3 and S5: with the
    /// lock held until the commit, a room got one line per commit). Returns
    /// the line and whether it was new. Errors: the store's; nothing was
    /// stored or published.
    pub(in crate::live) async fn queue_and_publish<F, Fut>(&self, topic: &Topic, queue: F) -> Result<(ChatMessage, bool), StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Queued>,
    {
        self.queue_line(topic, queue).await.published().await
    }

    /// The first half of [`Hub::queue_and_publish`]: returns once the line
    /// has its place in the topic's order (queued for the writer), so any
    /// line queued after this call returns comes after it. The caller may
    /// then answer someone and leave [`PendingLine::published`] to a task.
    /// With several nodes the line is stored and announced before this
    /// returns (PostgreSQL's lock orders lines there).
    async fn queue_line<F, Fut>(&self, topic: &Topic, queue: F) -> PendingLine
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Queued>,
    {
        if self.bus.get().is_some() {
            return PendingLine(Pending::Done(self.store_and_publish(topic, || async { queue().await.stored().await }).await));
        }
        let channel = self.channel(topic);
        let (queued, turn) = {
            let _in_order = channel.write_lock.lock().await;
            let queued = queue().await;
            (queued, channel.take_turn())
        };
        PendingLine(Pending::Queued { channel, topic: topic.clone(), queued, turn })
    }

    /// With several nodes, publishes a line that nothing stores (an instant
    /// chat without history), under the topic's write lock: `draft` gives
    /// the new line, or `Ok(Err)` with the line a retry repeats (returned
    /// with `false`), or a refusal (returned as is); the bus announces it, and PostgreSQL gives it its id in the
    /// same round trip ([`Bus::announce_new_line`]); `keep` then keeps it on
    /// this node. `None` on a single node: use [`Hub::store_and_publish`].
    /// Errors: `draft`'s, the bus's; nothing was announced or kept.
    pub(in crate::live) async fn announce_unstored<D, K>(&self, topic: &Topic, draft: D, keep: K) -> Option<Result<(ChatMessage, bool), StoreError>>
    where
        D: FnOnce() -> Result<Result<ChatMessage, ChatMessage>, StoreError>,
        K: FnOnce(&ChatMessage),
    {
        let bus = self.bus.get()?;
        let channel = self.channel(topic);
        let _in_order = channel.write_lock.lock().await;
        let line = match draft() {
            Ok(Ok(line)) => line,
            Ok(Err(seen)) => return Some(Ok((seen, false))),
            Err(refused) => return Some(Err(refused)),
        };
        Some(bus.announce_new_line(line).await.map(|line| {
            keep(&line);
            (line, true)
        }))
    }
}
