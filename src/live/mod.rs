//! The live layer: one WebSocket per browser tab carries every room's events.
//!
//! The wire format is JSON text frames of [`ClientEvent`] (browser to server)
//! and [`ServerEvent`] (server to browser), tagged by a `type` field. A tab
//! follows a [`Topic`] (a member room or an instant chat) with
//! [`ClientEvent::Subscribe`], naming the last line id it has; the server
//! answers with everything after it (from the database, or from memory for an
//! instant chat without history) and then live events, skipping anything it
//! already sent, so a reconnect leaves no gap and shows nothing twice.
//!
//! Server side: [`hub`] fans events out to the tabs in a room, [`socket`] runs
//! one connection. Browser side: [`client`] keeps the connection up.

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "hydrate")]
pub mod early;
#[cfg(feature = "ssr")]
pub mod bus;
#[cfg(feature = "ssr")]
pub mod guest_identity;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
mod nodes;
#[cfg(feature = "ssr")]
mod parts;
#[cfg(feature = "ssr")]
pub mod presence;
mod protocol;
#[cfg(feature = "ssr")]
pub mod socket;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod timeline;

#[cfg(feature = "ssr")]
pub use parts::LiveParts;
pub use protocol::{ClientEvent, ServerEvent, Typist, WentOffline};
pub use crate::types::timeline::{
    check_message_body, is_valid_client_id, AuthorTag, ChatMessage, MemberView, MessageKind, Topic,
};

/// URL path of the WebSocket endpoint.
pub const LIVE_PATH: &str = "/live";
/// The `window` property under which a page's early script leaves the live
/// socket it started before the page's code ran
/// ([`crate::pages::EARLY_SOCKET_SCRIPT`]): `{ ws: WebSocket }`.
pub const EARLY_SOCKET: &str = "__roomlinkSocket";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_tagged_json() {
        let e = ClientEvent::Subscribe { topic: Topic::Room(3), after_id: 0 };
        assert_eq!(
            serde_json::to_string(&e).ok().as_deref(),
            Some(r#"{"type":"subscribe","topic":"room:3","after_id":0}"#)
        );
        let back: Result<ClientEvent, _> = serde_json::from_str(r#"{"type":"unsubscribe","topic":"chat:a_B-9"}"#);
        assert_eq!(back.ok(), Some(ClientEvent::Unsubscribe { topic: Topic::Chat("a_B-9".into()) }));
        for bad in ["room:x", "chat:a b", "chat:", "space:1", "room"] {
            assert!(Topic::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }
}
