//! The live socket a page's `<head>` started before the page's code ran
//! ([`crate::pages::EARLY_SOCKET_SCRIPT`]), and what its script left for the
//! client ([`super::client`]) to take over: the socket, the subscription it
//! sent, and the server's frames it kept.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::WebSocket;

use super::EARLY_SOCKET;

/// A [`super::ClientEvent::Subscribe`] that the page's early script sent (read
/// from its record field by field, so the client carries no code to parse
/// client events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlySubscription {
    /// The topic as on the wire: `room:<id>` or `chat:<id>`.
    pub topic: String,
    /// The newest line id the page showed.
    pub after_id: i64,
}

/// The socket the page's early script started, if it is still connecting
/// or open, with the script's record of it (`{ ws, sent, frames }`); taken
/// (the script's reference is removed), so only one client adopts it.
pub(super) fn take() -> Option<(WebSocket, JsValue)> {
    let window = web_sys::window()?;
    let key = JsValue::from_str(EARLY_SOCKET);
    let early = js_sys::Reflect::get(&window, &key).ok().filter(|e| e.is_object())?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let ws: WebSocket = js_sys::Reflect::get(&early, &"ws".into()).ok()?.dyn_into().ok()?;
    matches!(ws.ready_state(), WebSocket::CONNECTING | WebSocket::OPEN).then_some((ws, early))
}

/// What the early script's `record` holds besides the socket: the
/// subscription it sent (`None` when it sent none) and the frames the server
/// answered, oldest first.
pub(super) fn read(record: &JsValue) -> (Option<EarlySubscription>, Vec<String>) {
    let sent = js_sys::Reflect::get(record, &"sent".into()).ok().filter(|s| s.is_object());
    let subscribed = sent.and_then(|sent| {
        let field = |name: &str| js_sys::Reflect::get(&sent, &name.into()).ok();
        Some(EarlySubscription { topic: field("topic")?.as_string()?, after_id: field("after_id")?.as_f64()? as i64 })
    });
    let frames = js_sys::Reflect::get(record, &"frames".into())
        .ok()
        .filter(|f| f.is_object())
        .map(|frames| frames.unchecked_into::<js_sys::Array>().iter().filter_map(|f| f.as_string()).collect())
        .unwrap_or_default();
    (subscribed, frames)
}
