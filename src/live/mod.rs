//! The live layer: one WebSocket per browser tab carries every room's events.
//!
//! The wire format is JSON text frames of [`ClientEvent`] (browser to server)
//! and [`ServerEvent`] (server to browser), tagged by a `type` field. A tab
//! follows a room with [`ClientEvent::Subscribe`], naming the last message id
//! it has; the server answers with everything after it from the database and
//! then live events, skipping anything it already sent, so a reconnect leaves
//! no gap and shows nothing twice.
//!
//! Server side: [`hub`] fans events out to the tabs in a room, [`socket`] runs
//! one connection. Browser side: [`client`] keeps the connection up.

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod socket;

use serde::{Deserialize, Serialize};

use crate::limits::{CLIENT_ID_MAX_BYTES, MESSAGE_MAX_CHARS};

/// URL path of the WebSocket endpoint.
pub const LIVE_PATH: &str = "/live";

/// A stored chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChatMessage {
    /// Increasing id, unique across rooms.
    pub id: i64,
    /// Room it was sent in.
    pub room_id: i64,
    /// Sender's user id.
    pub author_id: i64,
    /// Sender's username.
    pub author_name: String,
    /// Id the sender's tab gave it (see [`ClientEvent::Send`]).
    pub client_id: String,
    /// Text, trimmed, 1-4000 characters.
    pub body: String,
    /// When the server stored it, Unix ms.
    pub created_at: i64,
}

/// What a tab says to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientEvent {
    /// Follow a room. `after_id` is the newest message id the tab has (0 for
    /// none): the server sends every later message before live ones.
    Subscribe {
        /// Room to follow.
        room_id: i64,
        /// Newest message id the tab already shows.
        after_id: i64,
    },
    /// Stop following a room.
    Unsubscribe {
        /// Room to leave.
        room_id: i64,
    },
    /// Send a message to a followed room.
    Send {
        /// Room to send to (must be followed).
        room_id: i64,
        /// Tab-made id, 1-64 bytes of `[A-Za-z0-9_-]`. The server keeps one
        /// message per (sender, client id), so a retry never shows twice.
        client_id: String,
        /// Text; trimmed by the server, which refuses empty or over 4000 characters.
        body: String,
    },
}

/// What the server says to a tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// The tab now follows the room; missed messages follow.
    Subscribed {
        /// Room followed.
        room_id: i64,
    },
    /// A message in a followed room (the sender gets their own too).
    Message {
        /// The message.
        message: ChatMessage,
    },
    /// A request was refused; `reason` is for the person.
    Refused {
        /// Room concerned.
        room_id: i64,
        /// The refused send's client id, when a send was refused.
        client_id: Option<String>,
        /// Why, in words a person can act on.
        reason: String,
    },
}

/// Checks a message text and returns it trimmed: 1-4000 characters.
pub fn check_message_body(raw: &str) -> Result<String, String> {
    let body = raw.trim();
    let len = body.chars().count();
    if len == 0 {
        return Err("Type a message first.".into());
    }
    if len > MESSAGE_MAX_CHARS {
        return Err(format!(
            "A message can have at most {MESSAGE_MAX_CHARS} characters; this one has {len}. Shorten it or split it in two."
        ));
    }
    Ok(body.to_string())
}

/// True when `id` is a usable client message id: 1-64 bytes of `[A-Za-z0-9_-]`.
pub fn is_valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= CLIENT_ID_MAX_BYTES
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_bodies() {
        assert_eq!(check_message_body("  hi \n").as_deref(), Ok("hi"));
        assert!(check_message_body(" \n\t ").is_err());
        assert!(check_message_body(&"é".repeat(4000)).is_ok());
        let err = check_message_body(&"a".repeat(4001)).unwrap_err();
        assert!(err.contains("4001"), "{err}");
    }

    #[test]
    fn client_ids() {
        assert!(is_valid_client_id("a1-_Z"));
        assert!(!is_valid_client_id(""));
        assert!(!is_valid_client_id("a b"));
        assert!(!is_valid_client_id(&"a".repeat(65)));
    }

    #[test]
    fn wire_format_is_tagged_json() {
        let e = ClientEvent::Subscribe { room_id: 3, after_id: 0 };
        assert_eq!(
            serde_json::to_string(&e).ok().as_deref(),
            Some(r#"{"type":"subscribe","room_id":3,"after_id":0}"#)
        );
    }
}
