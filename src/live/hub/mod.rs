//! The hub: fans events out to every connection following a room or chat.
//!
//! One `tokio::sync::broadcast` channel per [`Topic`] with followers. An event is
//! serialised once and shared by all recipients ([`HubEvent::frame`] is a
//! reference-counted buffer). A line takes its id under a per-topic lock
//! and is published in its turn after the line before it ([`lines`]), so
//! live delivery follows id order exactly; a follower that falls behind the
//! channel gets `Lagged` and catches up from where the topic keeps its lines.
//!
//! On one server (SQLite) that is all. With several nodes (PostgreSQL), the
//! hub also hands what it publishes to the [`Bus`], which passes it to the
//! other nodes; lines are then published only as they come back from
//! PostgreSQL, in the order they were stored (see [`crate::live::bus`]).

use std::{
    collections::HashMap,
    sync::{
        atomic::AtomicUsize,
        Arc, Mutex, OnceLock,
    },
    time::Duration,
};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, oneshot};

use crate::error::Refusal;

use super::{
    bus::Bus,
    presence::{Change, Presence, RemotePresence},
    throttle::Throttle,
    ChatMessage, ServerEvent, Topic,
};
use crate::limits::{PRESENCE_BATCH_MS, TYPING_BATCH_MS};
mod connections;
mod lines;
mod presence_out;
mod watch;
pub use watch::Watch;
pub use connections::{session_key, Closing, ConnectionGuard, SessionKey};
pub use presence_out::presence_window;

/// Events a room channel holds before a slow follower lags (and catches up
/// from the database).
const ROOM_CHANNEL_CAPACITY: usize = 256;

/// One event as it goes out: the frame, encoded once for every recipient,
/// and what kind of event it is.
#[derive(Debug, Clone)]
pub struct HubEvent {
    /// The JSON text frame (empty for [`HubEventKind::Resync`]).
    pub frame: Utf8Bytes,
    /// What the event is, with what its kind needs.
    pub kind: HubEventKind,
}

/// What a [`HubEvent`] is, which decides who gets its frame and what their
/// connection does after it.
#[derive(Debug, Clone)]
pub enum HubEventKind {
    /// For everyone following the topic (presence and typing diffs, member
    /// updates…).
    Plain,
    /// A new line, id `id`: a connection that already sent it (by a
    /// catch-up) skips it.
    Line {
        /// The line's id.
        id: i64,
        /// When set, the frame for those who do not manage links: `frame`
        /// says which invite link a member joined through.
        plain_frame: Option<Utf8Bytes>,
    },
    /// [`ServerEvent::Ended`]: followers stop following after it.
    Ends {
        /// When set, only this author id's connections get it (someone
        /// removed from a room); everyone else skips it.
        only_for: Option<i64>,
    },
    /// The rights of this author changed: their connections read them again
    /// (a muted member's tab stops sending, a new moderator's tab starts
    /// getting link details); the frame goes to everyone.
    RightsChanged {
        /// Whose rights changed.
        author_id: i64,
    },
    /// For those who moderate the room only (join requests): the others'
    /// connections skip it.
    ForManagers,
    /// Events may have been missed (the bus's listening connection
    /// dropped): followers catch up from where the topic keeps its lines.
    Resync,
}

impl HubEvent {
    /// An event for everyone following the topic.
    pub fn new(frame: Utf8Bytes) -> HubEvent {
        HubEvent { frame, kind: HubEventKind::Plain }
    }

    /// A new line: its frame, and the frame without link details when they differ.
    pub fn message(message: &ChatMessage) -> HubEvent {
        let frame = encode(&ServerEvent::Message { message: message.clone() });
        let mut plain = message.clone();
        plain.hide_moderation_details();
        let plain_frame = (plain != *message).then(|| encode(&ServerEvent::Message { message: plain }));
        HubEvent { frame, kind: HubEventKind::Line { id: message.id, plain_frame } }
    }

    /// The id of the line it carries, if it is a line.
    pub fn line_id(&self) -> Option<i64> {
        match self.kind {
            HubEventKind::Line { id, .. } => Some(id),
            _ => None,
        }
    }
}

pub(super) struct TopicChannel {
    sender: broadcast::Sender<Arc<HubEvent>>,
    /// Held while a line takes its id (stored, or queued for the writer),
    /// so ids are taken in turn order.
    write_lock: tokio::sync::Mutex<()>,
    /// The turn of the line that took its id last: the next line publishes
    /// only after it (see [`lines::PublishTurn`]).
    last_turn: Mutex<Option<oneshot::Receiver<()>>>,
    /// Who is online and typing.
    presence: Mutex<Presence>,
    /// Presence changes on their way out: `None` online, `Some(ms)` offline since.
    diffs: Mutex<Throttle<Option<i64>>>,
    /// Typing changes on their way out: `Some(name)` typing, `None` stopped.
    typists: Mutex<Throttle<Option<String>>>,
}

impl TopicChannel {
    fn new() -> TopicChannel {
        TopicChannel {
            sender: broadcast::channel(ROOM_CHANNEL_CAPACITY).0,
            write_lock: tokio::sync::Mutex::new(()),
            last_turn: Mutex::new(None),
            presence: Mutex::new(Presence::default()),
            diffs: Mutex::new(Throttle::new(Duration::from_millis(PRESENCE_BATCH_MS))),
            typists: Mutex::new(Throttle::new(Duration::from_millis(TYPING_BATCH_MS))),
        }
    }

    pub(super) fn publish(&self, event: &ServerEvent) {
        // No receivers is fine: nobody is watching the topic right now.
        let _ = self.sender.send(Arc::new(HubEvent::new(encode(event))));
    }

    pub(super) fn presence(&self) -> std::sync::MutexGuard<'_, Presence> {
        self.presence.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The hub. Share it as `Arc<Hub>`.
pub struct Hub {
    /// One channel per followed topic: member rooms and instant chats alike.
    pub(super) topics: Mutex<HashMap<Topic, Arc<TopicChannel>>>,
    /// Who is online on other nodes (empty on one server).
    remote: Mutex<RemotePresence>,
    /// The link to the other nodes, when running on PostgreSQL.
    pub(super) bus: OnceLock<Arc<Bus>>,
    /// One "close now" sender per open live connection, fired when the
    /// server shuts down or the connection's session ends (see [`connections`]). (One per connection rather than one shared
    /// `watch`: a shared one made every connection take the same lock on
    /// every event, which S2 measured at 10,000 tabs.)
    closers: Mutex<HashMap<u64, connections::Closer>>,
    /// Ids for `closers`.
    next_connection: AtomicUsize,
    /// Live connections open now.
    connections: AtomicUsize,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            topics: Mutex::default(),
            remote: Mutex::default(),
            bus: OnceLock::new(),
            closers: Mutex::default(),
            next_connection: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
        }
    }
}

/// Encodes a server event as a text frame.
pub fn encode(event: &ServerEvent) -> Utf8Bytes {
    // Serialising these plain structs cannot fail; an empty frame would be ignored.
    Utf8Bytes::from(serde_json::to_string(event).unwrap_or_default())
}

impl Hub {
    /// A new hub with no rooms.
    pub fn new() -> Hub {
        Hub::default()
    }

    fn channel(&self, topic: &Topic) -> Arc<TopicChannel> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics
            .entry(topic.clone())
            .or_insert_with(|| Arc::new(TopicChannel::new()))
            .clone()
    }

    /// Starts receiving a topic's events.
    pub fn subscribe(&self, topic: &Topic) -> broadcast::Receiver<Arc<HubEvent>> {
        self.channel(topic).sender.subscribe()
    }

    /// Forgets a topic's channel once nobody follows it. Call after dropping a receiver.
    pub fn release(&self, topic: &Topic) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if topics.get(topic).is_some_and(|c| c.sender.receiver_count() == 0) {
            topics.remove(topic);
        }
    }

    pub(super) fn existing(&self, topic: &Topic) -> Option<Arc<TopicChannel>> {
        self.topics.lock().unwrap_or_else(|p| p.into_inner()).get(topic).cloned()
    }

    pub(super) fn remote(&self) -> std::sync::MutexGuard<'_, RemotePresence> {
        self.remote.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Links this hub to the other nodes. Called once, at start-up, on PostgreSQL.
    pub fn attach_bus(&self, bus: Arc<Bus>) {
        let _ = self.bus.set(bus);
    }

    /// Waits until this node holds every line of chats without history it
    /// should (after a drop of the bus's listening connection, until the
    /// other nodes sent again what it missed; see [`Bus::until_whole`]).
    /// At once on one node.
    pub async fn until_whole(&self) {
        if let Some(bus) = self.bus.get() {
            bus.until_whole().await;
        }
    }

    /// True when this node shares its topics with others over the bus
    /// (PostgreSQL with [`Hub::attach_bus`] called).
    pub fn has_bus(&self) -> bool {
        self.bus.get().is_some()
    }

    /// Sends `event` to the followers of `topic`. With several nodes it goes
    /// through the bus, to this node too, so that it reaches every tab in
    /// order with the lines around it.
    fn broadcast(&self, topic: &Topic, event: HubEvent) {
        if self.bus.get().is_some_and(|bus| bus.forward(topic, &event)) {
            return;
        }
        self.deliver(topic, event);
    }

    /// Sends `event` to this node's followers of `topic` only (events that came
    /// from another node, or from the bus's ordered stream of lines).
    pub fn deliver(&self, topic: &Topic, event: HubEvent) {
        if let Some(channel) = self.existing(topic) {
            // No receivers is fine: nobody is watching the topic right now.
            let _ = channel.sender.send(Arc::new(event));
        }
    }

    /// Tells every follower on this node to catch up from the store, after
    /// the bus may have missed notes (see [`HubEvent::resync`]).
    pub fn resync_all(&self) {
        let channels: Vec<Arc<TopicChannel>> = self.topics.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
        for channel in channels {
            let _ = channel.sender.send(Arc::new(HubEvent { frame: Utf8Bytes::from_static(""), kind: HubEventKind::Resync }));
        }
    }

    /// Counts a connection of `author_id` following `topic` (call after
    /// [`Hub::subscribe`]) and, if it is their first on any node, tells the
    /// followers they came online. Returns the author ids online now, on any node.
    pub fn connect(&self, topic: &Topic, author_id: i64) -> Vec<i64> {
        let channel = self.channel(topic);
        let mut presence = channel.presence();
        if presence.connect(author_id) == Change::Online {
            if let Some(bus) = self.bus.get() {
                // Announced when the note comes back, in order with the rest.
                bus.arrived(topic, author_id);
            } else {
                channel.announce_presence(topic, author_id, None);
            }
        }
        let here = presence.online();
        drop(presence);
        self.online_anywhere(topic, here)
    }

    /// How many people are online in `topic` now, on any node.
    pub fn online_count(&self, topic: &Topic) -> usize {
        let here = self.existing(topic).map(|c| c.presence().online()).unwrap_or_default();
        self.online_anywhere(topic, here).len()
    }

    /// `here` (authors online on this node) with those online on other nodes, sorted, once each.
    fn online_anywhere(&self, topic: &Topic, mut here: Vec<i64>) -> Vec<i64> {
        here.extend(self.remote().online(topic));
        here.sort_unstable();
        here.dedup();
        here
    }

    /// Counts a closed connection of `author_id` in `topic` (call before
    /// [`Hub::release`]). When it was their last, tells the followers they
    /// went offline at `now_ms` (and stopped typing) and returns true.
    pub fn disconnect(&self, topic: &Topic, author_id: i64, now_ms: i64) -> bool {
        let Some(channel) = self.existing(topic) else { return false };
        let mut presence = channel.presence();
        let Change::Offline { was_typing } = presence.disconnect(author_id) else { return false };
        // Announced under the presence lock, as arrivals are, so that a
        // quick return is announced after this leave, never before it.
        if was_typing {
            channel.announce_typing(topic, author_id, None, self.bus.get().cloned());
        }
        if let Some(bus) = self.bus.get() {
            // Announced when the note comes back.
            bus.left(topic, author_id, now_ms);
        } else {
            channel.announce_presence(topic, author_id, Some(now_ms));
        }
        drop(presence);
        true
    }

    /// Records that `author_id` types or stopped, telling the followers
    /// (in the next typing diff) when that changes what they see.
    pub fn typing(&self, topic: &Topic, author_id: i64, author_name: &str, typing: bool) {
        let Some(channel) = self.existing(topic) else { return };
        let mut presence = channel.presence();
        if presence.set_typing(author_id, author_name, typing, std::time::Instant::now()) {
            // Under the presence lock, so the diffs go out in the order of the changes.
            channel.announce_typing(topic, author_id, typing.then(|| author_name.to_string()), self.bus.get().cloned());
        }
    }

    /// Drops typing states not refreshed in time and tells the followers.
    /// The server calls this every second.
    pub fn expire_typing(&self) {
        let channels: Vec<(Topic, Arc<TopicChannel>)> =
            self.topics.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(t, c)| (t.clone(), c.clone())).collect();
        let now = std::time::Instant::now();
        for (topic, channel) in channels {
            let mut presence = channel.presence();
            for (author_id, _) in presence.expire_typing(now) {
                channel.announce_typing(&topic, author_id, None, self.bus.get().cloned());
            }
        }
    }

    /// Tells every follower of `topic` that it is over ([`ServerEvent::Ended`]);
    /// they stop following it.
    pub fn end(&self, topic: &Topic, reason: Refusal) {
        let frame = encode(&ServerEvent::Ended { topic: topic.clone(), reason });
        self.broadcast(topic, HubEvent { frame, kind: HubEventKind::Ends { only_for: None } });
    }

    /// Ends `topic` for one author only (removed or banned from a room):
    /// their tabs get [`ServerEvent::Ended`] with `reason` and stop following;
    /// nobody else notices except through presence.
    pub fn end_for(&self, topic: &Topic, author_id: i64, reason: Refusal) {
        let frame = encode(&ServerEvent::Ended { topic: topic.clone(), reason });
        self.broadcast(topic, HubEvent { frame, kind: HubEventKind::Ends { only_for: Some(author_id) } });
    }

    /// Tells every follower of a room that a member's role or permissions
    /// changed ([`ServerEvent::MemberUpdated`]); that member's own tabs read
    /// their rights again.
    pub fn member_updated(&self, topic: &Topic, member: super::MemberView) {
        let author_id = member.id;
        let frame = encode(&ServerEvent::MemberUpdated { topic: topic.clone(), member });
        self.broadcast(topic, HubEvent { frame, kind: HubEventKind::RightsChanged { author_id } });
    }

    /// Tells the owner and moderators following room `room_id` how many
    /// join requests wait there now ([`ServerEvent::JoinRequests`]), after
    /// one was made, approved, declined or withdrawn. Server-side waiters
    /// ([`crate::invites::await_join_request`]) wake on it too.
    pub fn join_requests_changed(&self, room_id: i64, pending: i64) {
        let topic = Topic::Room(room_id);
        let frame = encode(&ServerEvent::JoinRequests { topic: topic.clone(), pending });
        self.broadcast(&topic, HubEvent { frame, kind: HubEventKind::ForManagers });
    }

    /// How many receivers `topic`'s channel has on this node now: tabs
    /// following it and server-side [`Watch`]es (for tests and metrics).
    pub fn receivers(&self, topic: &Topic) -> usize {
        self.existing(topic).map_or(0, |c| c.sender.receiver_count())
    }

    /// Topics with at least one follower (for tests and metrics).
    pub fn active_rooms(&self) -> usize {
        self.topics.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}
