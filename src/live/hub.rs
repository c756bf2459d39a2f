//! The hub: fans events out to every connection following a room.
//!
//! One `tokio::sync::broadcast` channel per room with followers. An event is
//! serialised once and shared by all recipients ([`HubEvent::frame`] is a
//! reference-counted buffer). Messages are stored and published under a
//! per-room lock, so live delivery follows id order exactly; a follower that
//! falls behind the channel gets `Lagged` and catches up from the database.
//!
//! This is the in-process hub; a multi-node bus replaces it behind the same
//! methods.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

use super::{ChatMessage, ServerEvent};

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
}

struct RoomChannel {
    sender: broadcast::Sender<Arc<HubEvent>>,
    /// Held while a message is stored and published, so ids go out in order.
    write_lock: tokio::sync::Mutex<()>,
}

/// The in-process hub. Share it as `Arc<Hub>`.
#[derive(Default)]
pub struct Hub {
    rooms: Mutex<HashMap<i64, Arc<RoomChannel>>>,
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

    fn channel(&self, room_id: i64) -> Arc<RoomChannel> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms
            .entry(room_id)
            .or_insert_with(|| {
                Arc::new(RoomChannel {
                    sender: broadcast::channel(ROOM_CHANNEL_CAPACITY).0,
                    write_lock: tokio::sync::Mutex::new(()),
                })
            })
            .clone()
    }

    /// Starts receiving a room's events.
    pub fn subscribe(&self, room_id: i64) -> broadcast::Receiver<Arc<HubEvent>> {
        self.channel(room_id).sender.subscribe()
    }

    /// Forgets a room's channel once nobody follows it. Call after dropping a receiver.
    pub fn release(&self, room_id: i64) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if rooms.get(&room_id).is_some_and(|c| c.sender.receiver_count() == 0) {
            rooms.remove(&room_id);
        }
    }

    /// Rooms with at least one follower (for tests and metrics).
    pub fn active_rooms(&self) -> usize {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Stores a message with `store` and, when it was new, publishes it to the
    /// room, all under the room's write lock. Returns what `store` returned:
    /// the message and whether it was new (a retry returns the original).
    pub async fn store_and_publish<F, Fut, E>(&self, room_id: i64, store: F) -> Result<(ChatMessage, bool), E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(ChatMessage, bool), E>>,
    {
        let channel = self.channel(room_id);
        let _in_order = channel.write_lock.lock().await;
        let (message, fresh) = store().await?;
        if fresh {
            let frame = encode(&ServerEvent::Message { message: message.clone() });
            // No receivers is fine: nobody is watching the room right now.
            let _ = channel.sender.send(Arc::new(HubEvent { message_id: Some(message.id), frame }));
        }
        Ok((message, fresh))
    }
}
