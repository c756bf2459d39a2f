//! The hub: fans events out to every connection following a room or chat.
//!
//! One `tokio::sync::broadcast` channel per [`Topic`] with followers. An event is
//! serialised once and shared by all recipients ([`HubEvent::frame`] is a
//! reference-counted buffer). Lines are stored and published under a
//! per-topic lock, so live delivery follows id order exactly; a follower that
//! falls behind the channel gets `Lagged` and catches up from where the
//! topic keeps its lines.
//!
//! This is the in-process hub; a multi-node bus replaces it behind the same
//! methods.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

use super::{
    presence::{Change, Presence},
    ChatMessage, ServerEvent, Topic,
};

/// Events a room channel holds before a slow follower lags (and catches up
/// from the database).
const ROOM_CHANNEL_CAPACITY: usize = 256;

/// One event as it goes out: the encoded frame, plus the message id (if it is
/// a message) so a connection can skip what it already sent.
#[derive(Debug, Clone)]
pub struct HubEvent {
    /// Id of the message this event carries, if any.
    pub message_id: Option<i64>,
    /// The JSON text frame, encoded once for every recipient.
    pub frame: Utf8Bytes,
    /// True for [`ServerEvent::Ended`]: followers stop following after it.
    pub ends_topic: bool,
    /// When set, the event is only for the connections of this author id
    /// (someone removed from a room); everyone else skips it.
    pub only_for: Option<i64>,
    /// When set, `frame` carries details only those who manage links may
    /// see (which invite a member joined through), and this is the frame for
    /// everyone else.
    pub plain_frame: Option<Utf8Bytes>,
    /// When set, the rights of this author changed: their connections read
    /// them again (a muted member's tab stops sending, a new moderator's tab
    /// starts getting link details).
    pub rights_changed_for: Option<i64>,
}

impl HubEvent {
    fn new(frame: Utf8Bytes) -> HubEvent {
        HubEvent { message_id: None, frame, ends_topic: false, only_for: None, plain_frame: None, rights_changed_for: None }
    }
}

struct RoomChannel {
    sender: broadcast::Sender<Arc<HubEvent>>,
    /// Held while a message is stored and published, so ids go out in order.
    write_lock: tokio::sync::Mutex<()>,
    /// Who is online and typing.
    presence: Mutex<Presence>,
}

impl RoomChannel {
    fn publish(&self, event: &ServerEvent) {
        // No receivers is fine: nobody is watching the topic right now.
        let _ = self.sender.send(Arc::new(HubEvent::new(encode(event))));
    }

    fn presence(&self) -> std::sync::MutexGuard<'_, Presence> {
        self.presence.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The in-process hub. Share it as `Arc<Hub>`.
#[derive(Default)]
pub struct Hub {
    rooms: Mutex<HashMap<Topic, Arc<RoomChannel>>>,
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

    fn channel(&self, topic: &Topic) -> Arc<RoomChannel> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms
            .entry(topic.clone())
            .or_insert_with(|| {
                Arc::new(RoomChannel {
                    sender: broadcast::channel(ROOM_CHANNEL_CAPACITY).0,
                    write_lock: tokio::sync::Mutex::new(()),
                    presence: Mutex::new(Presence::default()),
                })
            })
            .clone()
    }

    /// Starts receiving a topic's events.
    pub fn subscribe(&self, topic: &Topic) -> broadcast::Receiver<Arc<HubEvent>> {
        self.channel(topic).sender.subscribe()
    }

    /// Forgets a topic's channel once nobody follows it. Call after dropping a receiver.
    pub fn release(&self, topic: &Topic) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if rooms.get(topic).is_some_and(|c| c.sender.receiver_count() == 0) {
            rooms.remove(topic);
        }
    }

    fn existing(&self, topic: &Topic) -> Option<Arc<RoomChannel>> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner()).get(topic).cloned()
    }

    /// Counts a connection of `author_id` following `topic` (call after
    /// [`Hub::subscribe`]) and, if it is their first, tells the followers
    /// they came online. Returns the author ids online now.
    pub fn connect(&self, topic: &Topic, author_id: i64) -> Vec<i64> {
        let channel = self.channel(topic);
        let mut presence = channel.presence();
        if presence.connect(author_id) == Change::Online {
            channel.publish(&ServerEvent::PresenceChanged { topic: topic.clone(), author_id, online: true, last_seen_at: None });
        }
        presence.online()
    }

    /// How many people are online in `topic` now.
    pub fn online_count(&self, topic: &Topic) -> usize {
        self.existing(topic).map_or(0, |c| c.presence().online().len())
    }

    /// Counts a closed connection of `author_id` in `topic` (call before
    /// [`Hub::release`]). When it was their last, tells the followers they
    /// went offline at `now_ms` (and stopped typing) and returns true.
    pub fn disconnect(&self, topic: &Topic, author_id: i64, author_name: &str, now_ms: i64) -> bool {
        let Some(channel) = self.existing(topic) else { return false };
        let mut presence = channel.presence();
        let Change::Offline { was_typing } = presence.disconnect(author_id) else { return false };
        if was_typing {
            let author_name = author_name.to_string();
            channel.publish(&ServerEvent::Typing { topic: topic.clone(), author_id, author_name, typing: false });
        }
        let last_seen_at = Some(now_ms);
        channel.publish(&ServerEvent::PresenceChanged { topic: topic.clone(), author_id, online: false, last_seen_at });
        true
    }

    /// Records that `author_id` types or stopped, telling the followers when
    /// that changes what they see.
    pub fn typing(&self, topic: &Topic, author_id: i64, author_name: &str, typing: bool) {
        let Some(channel) = self.existing(topic) else { return };
        let mut presence = channel.presence();
        if presence.set_typing(author_id, author_name, typing, std::time::Instant::now()) {
            let author_name = author_name.to_string();
            channel.publish(&ServerEvent::Typing { topic: topic.clone(), author_id, author_name, typing });
        }
    }

    /// Drops typing states not refreshed in time and tells the followers.
    /// The server calls this every second.
    pub fn expire_typing(&self) {
        let channels: Vec<(Topic, Arc<RoomChannel>)> =
            self.rooms.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(t, c)| (t.clone(), c.clone())).collect();
        let now = std::time::Instant::now();
        for (topic, channel) in channels {
            let lapsed = channel.presence().expire_typing(now);
            for (author_id, author_name) in lapsed {
                channel.publish(&ServerEvent::Typing { topic: topic.clone(), author_id, author_name, typing: false });
            }
        }
    }

    /// Tells every follower of `topic` that it is over ([`ServerEvent::Ended`]);
    /// they stop following it.
    pub fn end(&self, topic: &Topic, reason: &str) {
        if let Some(channel) = self.existing(topic) {
            let frame = encode(&ServerEvent::Ended { topic: topic.clone(), reason: reason.to_string() });
            let _ = channel.sender.send(Arc::new(HubEvent { ends_topic: true, ..HubEvent::new(frame) }));
        }
    }

    /// Ends `topic` for one author only (removed or banned from a room):
    /// their tabs get [`ServerEvent::Ended`] with `reason` and stop following;
    /// nobody else notices except through presence.
    pub fn end_for(&self, topic: &Topic, author_id: i64, reason: &str) {
        if let Some(channel) = self.existing(topic) {
            let frame = encode(&ServerEvent::Ended { topic: topic.clone(), reason: reason.to_string() });
            let event = HubEvent { ends_topic: true, only_for: Some(author_id), ..HubEvent::new(frame) };
            let _ = channel.sender.send(Arc::new(event));
        }
    }

    /// Tells every follower of a room that a member's role or permissions
    /// changed ([`ServerEvent::MemberUpdated`]); that member's own tabs read
    /// their rights again.
    pub fn member_updated(&self, topic: &Topic, member: super::MemberView) {
        if let Some(channel) = self.existing(topic) {
            let author_id = member.id;
            let frame = encode(&ServerEvent::MemberUpdated { topic: topic.clone(), member });
            let _ = channel.sender.send(Arc::new(HubEvent { rights_changed_for: Some(author_id), ..HubEvent::new(frame) }));
        }
    }

    /// Topics with at least one follower (for tests and metrics).
    pub fn active_rooms(&self) -> usize {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Stores a line with `store` and, when it was new, publishes it to the
    /// topic, all under the topic's write lock. Returns what `store` returned:
    /// the line and whether it was new (a retry returns the original).
    pub async fn store_and_publish<F, Fut, E>(&self, topic: &Topic, store: F) -> Result<(ChatMessage, bool), E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(ChatMessage, bool), E>>,
    {
        let channel = self.channel(topic);
        let _in_order = channel.write_lock.lock().await;
        let (message, fresh) = store().await?;
        if fresh {
            let frame = encode(&ServerEvent::Message { message: message.clone() });
            let mut plain = message.clone();
            plain.hide_link_details();
            let plain_frame = (plain != message).then(|| encode(&ServerEvent::Message { message: plain }));
            let event = HubEvent { message_id: Some(message.id), plain_frame, ..HubEvent::new(frame) };
            // No receivers is fine: nobody is watching the room right now.
            let _ = channel.sender.send(Arc::new(event));
        }
        Ok((message, fresh))
    }
}
