//! How a topic's new lines are numbered and published in order: stored (or
//! numbered) and published under the topic's write lock on one node, and
//! under PostgreSQL's lock through the bus across nodes.

use std::sync::Arc;

use super::{Hub, HubEvent};
#[cfg(doc)]
use crate::live::bus::Bus;
use crate::{
    live::{ChatMessage, Topic},
    store::StoreError,
};

impl Hub {
    /// Stores a line with `store` and, when it was new, publishes it to the
    /// topic, all under the topic's write lock. Returns what `store` returned:
    /// the line and whether it was new (a retry returns the original).
    ///
    /// With several nodes, the lock is PostgreSQL's, across nodes, and the
    /// line goes out through the bus (see [`Bus::store_and_announce`]).
    /// Errors: `store`'s, or the bus's as [`StoreError`].
    pub async fn store_and_publish<F, Fut, E>(&self, topic: &Topic, store: F) -> Result<(ChatMessage, bool), E>
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
        let (message, fresh) = store().await?;
        if fresh {
            channel.typing_along(topic);
            // No receivers is fine: nobody is watching the room right now.
            let _ = channel.sender.send(Arc::new(HubEvent::message(&message)));
        }
        Ok((message, fresh))
    }

    /// With several nodes, publishes a line that nothing stores (an instant
    /// chat without history), under the topic's write lock: `draft` gives
    /// the new line, or `Err` with the line a retry repeats (returned with
    /// `false`); the bus announces it, and PostgreSQL gives it its id in the
    /// same round trip ([`Bus::announce_new_line`]); `keep` then keeps it on
    /// this node. `None` on a single node: use [`Hub::store_and_publish`].
    /// Errors: the bus's; nothing was announced or kept.
    pub async fn announce_unstored<D, K>(&self, topic: &Topic, draft: D, keep: K) -> Option<Result<(ChatMessage, bool), StoreError>>
    where
        D: FnOnce() -> Result<ChatMessage, ChatMessage>,
        K: FnOnce(&ChatMessage),
    {
        let bus = self.bus.get()?;
        let channel = self.channel(topic);
        let _in_order = channel.write_lock.lock().await;
        let line = match draft() {
            Ok(line) => line,
            Err(seen) => return Some(Ok((seen, false))),
        };
        Some(bus.announce_new_line(line).await.map(|line| {
            keep(&line);
            (line, true)
        }))
    }
}
