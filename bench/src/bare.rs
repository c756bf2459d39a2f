//! A plain Rust WebSocket fan-out server, the third column of S2: what the
//! same load client measures on a server with nothing but the fan-out.
//!
//! It keeps nothing, checks nothing and knows no one: each room is a
//! `tokio::sync::broadcast` channel of ready frames, and each socket one
//! tokio task on `tokio-tungstenite`, the same WebSocket code Roomlink's
//! server runs under axum. It speaks the part of Socket.IO's framing the
//! load client uses (see [`super::tab`]), so the client drives it exactly as
//! it drives the Socket.IO reference. It is not a ceiling: Roomlink's socket
//! loop, tuned against S1 and S2, held more than it on this machine (issue 6
//! notes). It shows what a straightforward Rust server gives, and where both
//! stop at the same rate, the load client's core is what stops them.
//!
//! Run by the bench binary itself (`bench --serve-bare <address>`), pinned
//! like the other servers.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use futures::{SinkExt, StreamExt};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::{protocol::WebSocketConfig, Message, Utf8Bytes};

/// Frames a room holds for a slow socket before it lags (and skips them).
const ROOM_CAPACITY: usize = 1_024;
/// Frames already waiting that go out in the same write.
const BATCH: usize = 64;

type Rooms = Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>;

/// Serves on `addr` until the process is killed. Errors: the address cannot
/// be bound.
pub async fn serve(addr: SocketAddr) -> Result<(), String> {
    // The backlog Roomlink listens with, so both meet connection bursts alike.
    let listener = roomlink::server::listen(addr).map_err(|e| format!("bind {addr}: {e}"))?;
    let rooms = Rooms::default();
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let _ = stream.set_nodelay(true);
        let rooms = rooms.clone();
        tokio::spawn(async move {
            // Roomlink's buffer sizes: tungstenite's default 128 KiB read
            // buffer per socket would make this server pay for memory Roomlink does not.
            let config = WebSocketConfig::default()
                .read_buffer_size(roomlink::live::socket::LIVE_READ_BUFFER_BYTES)
                .write_buffer_size(roomlink::live::socket::LIVE_WRITE_BUFFER_BYTES);
            if let Ok(ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await {
                connection(ws, rooms).await;
            }
        });
    }
}

/// The room a socket joined: its name and its channel, kept from the join so
/// that relaying a message takes no lock.
struct Joined {
    name: String,
    sender: broadcast::Sender<Utf8Bytes>,
    receiver: broadcast::Receiver<Utf8Bytes>,
}

fn room(rooms: &Rooms, name: &str) -> broadcast::Sender<Utf8Bytes> {
    let mut rooms = rooms.lock().unwrap_or_else(|p| p.into_inner());
    rooms.entry(name.to_string()).or_insert_with(|| broadcast::channel(ROOM_CAPACITY).0).clone()
}

/// One socket: the Engine.IO open packet, then Socket.IO connect (`40`),
/// `join` with an ack (`42<id>["join",room]`, answered `43<id>["ok"]`) and
/// `message` (`42["message",room,body]`, sent to the room as
/// `42["message",body]`); anything else is ignored.
async fn connection(ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>, rooms: Rooms) {
    let (mut sink, mut stream) = ws.split();
    let open = r#"0{"sid":"bare","upgrades":[],"pingInterval":10000,"pingTimeout":20000,"maxPayload":1000000}"#;
    if sink.send(Message::text(open)).await.is_err() {
        return;
    }
    let mut joined: Option<Joined> = None;
    loop {
        let out: Vec<Utf8Bytes> = tokio::select! {
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => handle(&text, &rooms, &mut joined),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => continue,
            },
            Ok(frame) = next_frame(&mut joined) => {
                let mut out = vec![frame];
                while out.len() < BATCH {
                    let Some(Ok(more)) = joined.as_mut().map(|j| j.receiver.try_recv()) else { break };
                    out.push(more);
                }
                out
            }
        };
        for frame in out {
            if sink.feed(Message::Text(frame)).await.is_err() {
                return;
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
}

/// The next frame of the room joined; never, before a join. A socket that
/// lagged skips what it missed (the client counts it as missing).
async fn next_frame(joined: &mut Option<Joined>) -> Result<Utf8Bytes, broadcast::error::RecvError> {
    match joined {
        Some(room) => room.receiver.recv().await,
        None => std::future::pending().await,
    }
}

/// What one client frame asks for: the frames to answer with.
fn handle(text: &str, rooms: &Rooms, joined: &mut Option<Joined>) -> Vec<Utf8Bytes> {
    if text == "40" {
        return vec![Utf8Bytes::from_static(r#"40{"sid":"bare"}"#)];
    }
    let Some(event) = text.strip_prefix("42") else { return Vec::new() };
    let args_at = event.find('[').unwrap_or(event.len());
    let (ack, args) = event.split_at(args_at);
    let Ok(serde_json::Value::Array(args)) = serde_json::from_str(args) else { return Vec::new() };
    match (args.first().and_then(|a| a.as_str()), args.get(1).and_then(|a| a.as_str())) {
        (Some("join"), Some(name)) => {
            let sender = room(rooms, name);
            *joined = Some(Joined { name: name.to_string(), receiver: sender.subscribe(), sender });
            vec![Utf8Bytes::from(format!(r#"43{ack}["ok"]"#))]
        }
        (Some("message"), Some(name)) => {
            let body = args.get(2).cloned().unwrap_or_default();
            let frame = format!("42{}", serde_json::json!(["message", body]));
            let frame = Utf8Bytes::from(frame);
            let _ = match joined {
                Some(own) if own.name == name => own.sender.send(frame),
                _ => room(rooms, name).send(frame),
            };
            Vec::new()
        }
        _ => Vec::new(),
    }
}
