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

use super::{ChatMessage, ServerEvent, Topic};

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
}

struct RoomChannel {
    sender: broadcast::Sender<Arc<HubEvent>>,
    /// Held while a message is stored and published, so ids go out in order.
    write_lock: tokio::sync::Mutex<()>,
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

    /// Tells every follower of `topic` that it is over ([`ServerEvent::Ended`]);
    /// they stop following it.
    pub fn end(&self, topic: &Topic, reason: &str) {
        let live = self.rooms.lock().unwrap_or_else(|p| p.into_inner()).get(topic).cloned();
        if let Some(channel) = live {
            let frame = encode(&ServerEvent::Ended { topic: topic.clone(), reason: reason.to_string() });
            let _ = channel.sender.send(Arc::new(HubEvent { message_id: None, frame, ends_topic: true }));
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
            // No receivers is fine: nobody is watching the room right now.
            let _ = channel.sender.send(Arc::new(HubEvent { message_id: Some(message.id), frame, ends_topic: false }));
        }
        Ok((message, fresh))
    }
}
