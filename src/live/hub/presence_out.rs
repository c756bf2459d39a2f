//! How presence and typing changes leave a topic: as Phoenix-style diffs, a
//! lone change at once and a burst gathered over a window (see [`Throttle`]):
//! for who is online, [`PRESENCE_BATCH_MS`] per ten tabs following the topic
//! ([`presence_window`]), for who types, [`TYPING_BATCH_MS`].

use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use super::{HubEvent, TopicChannel};
#[cfg(doc)]
use crate::limits::TYPING_BATCH_MS;
use crate::{
    limits::{PRESENCE_BATCH_MAX_MS, PRESENCE_BATCH_MS, PRESENCE_FOLLOWERS_PER_BATCH},
    live::{
        bus::Bus,
        presence::diff,
        throttle::Throttle,
        ServerEvent, Topic, Typist,
    },
};

impl TopicChannel {
    /// Tells this node's followers of `topic` that `author_id` came online
    /// (`offline_at` `None`) or went offline at `offline_at` (Unix ms), at
    /// once or with the changes of the next [`PRESENCE_BATCH_MS`].
    pub(in crate::live) fn announce_presence(self: &Arc<Self>, topic: &Topic, author_id: i64, offline_at: Option<i64>) {
        let publish = |channel: &TopicChannel, topic: &Topic, states: Vec<(i64, Option<i64>)>| {
            let (joins, leaves) = diff(states);
            channel.publish(&ServerEvent::PresenceDiff { topic: topic.clone(), joins, leaves });
        };
        // The window that opens now (if one does) fits the topic's size.
        lock(&self.diffs).set_window(presence_window(self.sender.receiver_count()));
        self.throttled(topic, (author_id, offline_at), |c| &c.diffs, publish);
    }

    /// Tells the followers of `topic`, on every node (through `bus` when
    /// there are several), that `author_id` types (`name` `Some`) or stopped
    /// (`None`), at once, with the changes of the next [`TYPING_BATCH_MS`],
    /// or beside the next line ([`TopicChannel::typing_along`]).
    pub(in crate::live) fn announce_typing(self: &Arc<Self>, topic: &Topic, author_id: i64, name: Option<String>, bus: Option<Arc<Bus>>) {
        let publish = move |channel: &TopicChannel, topic: &Topic, states| channel.publish_typing(topic, bus.as_deref(), states);
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
    fn throttled<S, P>(self: &Arc<Self>, topic: &Topic, (author, state): (i64, S), which: fn(&TopicChannel) -> &Mutex<Throttle<S>>, publish: P)
    where
        S: Send + 'static,
        P: Fn(&TopicChannel, &Topic, Vec<(i64, S)>) + Send + 'static,
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

/// The presence window of a topic that `followers` tabs follow on this
/// server: [`PRESENCE_BATCH_MS`] per [`PRESENCE_FOLLOWERS_PER_BATCH`] tabs
/// (at least one such step), at most [`PRESENCE_BATCH_MAX_MS`]. So 2 or 10
/// tabs get 50 ms, 100 tabs 500 ms, 200 and more 1 s: a burst of changes
/// costs a topic about 200 frames a second whatever its size (below the cap).
pub fn presence_window(followers: usize) -> Duration {
    let steps = followers.div_ceil(PRESENCE_FOLLOWERS_PER_BATCH).max(1) as u64;
    Duration::from_millis((PRESENCE_BATCH_MS * steps).min(PRESENCE_BATCH_MAX_MS))
}

fn lock<S>(throttle: &Mutex<Throttle<S>>) -> MutexGuard<'_, Throttle<S>> {
    throttle.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_presence_window_grows_with_the_tabs_following_up_to_its_cap() {
        let ms = |n: usize| presence_window(n).as_millis();
        assert_eq!([ms(0), ms(1), ms(2), ms(10)], [50, 50, 50, 50], "small rooms keep the short window");
        assert_eq!([ms(11), ms(100), ms(101)], [100, 500, 550]);
        assert_eq!([ms(200), ms(5_000)], [1_000, 1_000], "capped");
    }

    /// Presence diffs one follower of `topic` is sent while `arrivals`
    /// people come online `gap` apart, and the ids they carry as joins.
    async fn diffs_seen(followers: usize, arrivals: i64, gap: Duration) -> (usize, Vec<i64>) {
        let hub = crate::live::hub::Hub::new();
        let topic = Topic::Chat("big".into());
        let mut receivers: Vec<_> = (0..followers).map(|_| hub.subscribe(&topic)).collect();
        for author in 1..=arrivals {
            hub.connect(&topic, author);
            tokio::time::sleep(gap).await;
        }
        tokio::time::sleep(presence_window(followers) * 2).await; // the last window ends
        let (mut diffs, mut joined) = (0, Vec::new());
        while let Ok(event) = receivers[0].try_recv() {
            if let Ok(ServerEvent::PresenceDiff { joins, .. }) = serde_json::from_str(&event.frame) {
                diffs += 1;
                joined.extend(joins);
            }
        }
        receivers.clear();
        (diffs, joined)
    }

    #[tokio::test]
    async fn a_big_rooms_arrivals_share_diffs_that_a_small_room_sends_one_by_one() {
        let gap = Duration::from_millis(80);
        // 40 tabs follow: a 200 ms window, so eight arrivals 80 ms apart
        // take the lone first diff and then one per window (about four).
        let (big, joined) = diffs_seen(40, 8, gap).await;
        assert_eq!(joined, (1..=8).collect::<Vec<_>>(), "every arrival is told once, in order");
        assert!(big <= 5, "8 arrivals in a room of 40 took {big} diffs");
        // 2 tabs follow: a 50 ms window, shorter than the gap, so each goes alone.
        let (small, joined) = diffs_seen(2, 8, gap).await;
        assert_eq!(joined.len(), 8);
        assert!(small >= 6, "8 arrivals 80 ms apart in a room of 2 took only {small} diffs");
    }
}
