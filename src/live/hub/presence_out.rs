//! How presence and typing changes leave a topic: as Phoenix-style diffs, a
//! lone change at once and a burst gathered over a window (see [`Throttle`]):
//! [`PRESENCE_BATCH_MS`] for who is online, [`TYPING_BATCH_MS`] for who types.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{HubEvent, RoomChannel};
#[cfg(doc)]
use crate::limits::{PRESENCE_BATCH_MS, TYPING_BATCH_MS};
use crate::{
    live::{
        bus::Bus,
        presence::diff,
        throttle::Throttle,
        ServerEvent, Topic, Typist,
    },
};

impl RoomChannel {
    /// Tells this node's followers of `topic` that `author_id` came online
    /// (`offline_at` `None`) or went offline at `offline_at` (Unix ms), at
    /// once or with the changes of the next [`PRESENCE_BATCH_MS`].
    pub(in crate::live) fn announce_presence(self: &Arc<Self>, topic: &Topic, author_id: i64, offline_at: Option<i64>) {
        let publish = |channel: &RoomChannel, topic: &Topic, states: Vec<(i64, Option<i64>)>| {
            let (joins, leaves) = diff(states);
            channel.publish(&ServerEvent::PresenceDiff { topic: topic.clone(), joins, leaves });
        };
        self.throttled(topic, (author_id, offline_at), |c| &c.diffs, publish);
    }

    /// Tells the followers of `topic`, on every node (through `bus` when
    /// there are several), that `author_id` types (`name` `Some`) or stopped
    /// (`None`), at once, with the changes of the next [`TYPING_BATCH_MS`],
    /// or beside the next line ([`RoomChannel::typing_along`]).
    pub(in crate::live) fn announce_typing(self: &Arc<Self>, topic: &Topic, author_id: i64, name: Option<String>, bus: Option<Arc<Bus>>) {
        let publish = move |channel: &RoomChannel, topic: &Topic, states| channel.publish_typing(topic, bus.as_deref(), states);
        self.throttled(topic, (author_id, name), |c| &c.typists, publish);
    }

    /// Sends the typing changes waiting for their window now, just before a
    /// line this node publishes: each tab then reads both at once and writes
    /// them in one go, so in a busy room typing costs no frame of its own
    /// (and changes wait for the next line while lines flow, see
    /// [`Throttle`]). One node only: with several, lines come back from the bus.
    pub(in crate::live) fn typing_along(&self, topic: &Topic) {
        let mut typists = lock(&self.typists);
        if let Some(states) = typists.line_out(std::time::Instant::now()) {
            self.publish_typing(topic, None, states);
        }
    }

    fn publish_typing(&self, topic: &Topic, bus: Option<&Bus>, states: Vec<(i64, Option<String>)>) {
        let (mut started, mut stopped) = (Vec::new(), Vec::new());
        for (author_id, name) in states {
            match name {
                Some(author_name) => started.push(Typist { author_id, author_name }),
                None => stopped.push(author_id),
            }
        }
        let event = HubEvent::new(super::encode(&ServerEvent::TypingDiff { topic: topic.clone(), started, stopped }));
        if !bus.is_some_and(|bus| bus.forward(topic, &event)) {
            // No receivers is fine: nobody is watching the topic right now.
            let _ = self.sender.send(Arc::new(event));
        }
    }

    /// Puts `change` through the throttle `which` picks: `publish` sends
    /// what goes at once, under the throttle's lock (so changes go out in
    /// the order they were made), and a task started when the window opens
    /// sends each window's changes as it ends, until a window passes quietly.
    fn throttled<S, P>(self: &Arc<Self>, topic: &Topic, (author, state): (i64, S), which: fn(&RoomChannel) -> &Mutex<Throttle<S>>, publish: P)
    where
        S: Send + 'static,
        P: Fn(&RoomChannel, &Topic, Vec<(i64, S)>) + Send + 'static,
    {
        let mut throttle = lock(which(self));
        let Some(mut now) = throttle.change(author, state, std::time::Instant::now()) else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            now.extend(throttle.close()); // nothing could send what waits: send each change at once
            publish(self, topic, now);
            return;
        };
        if !now.is_empty() {
            publish(self, topic, now);
        }
        let window = throttle.window();
        drop(throttle);
        let (channel, topic) = (Arc::downgrade(self), topic.clone());
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(window).await;
                // Gone: nobody follows the topic any more.
                let Some(channel) = channel.upgrade() else { break };
                let mut throttle = lock(which(&channel));
                let Some(waited) = throttle.flush() else { break };
                if !waited.is_empty() {
                    publish(&channel, &topic, waited);
                }
            }
        });
    }
}

fn lock<S>(throttle: &Mutex<Throttle<S>>) -> MutexGuard<'_, Throttle<S>> {
    throttle.lock().unwrap_or_else(|p| p.into_inner())
}
