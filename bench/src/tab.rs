//! One simulated tab: a WebSocket to Roomlink's `/live` or to the Socket.IO
//! reference, following one room, sending stamped messages when told and
//! recording the latency of every stamped message it receives.
//!
//! Socket.IO framing (protocol v5 over Engine.IO v4, WebSocket transport):
//! the server opens with `0{…}`; the client connects to the default
//! namespace with `40` and is answered `40{…}`; events are `42[name, …]`,
//! acknowledged events `42<id>[…]` answered by `43<id>[…]`; the server pings
//! with `2`, the client answers `3`.

use std::{
    net::{IpAddr, SocketAddr},
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::Duration,
};

use futures::{SinkExt, StreamExt};
use tokio::{net::TcpSocket, sync::mpsc, task::JoinHandle};
use tokio_tungstenite::{
    client_async_with_config,
    tungstenite::{client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig, Message},
    WebSocketStream,
};

use super::{now_ns, stamp, stamp_in, Peer, Recorder};
use roomlink::live::{ClientEvent, Topic};

/// Where and as whom a tab connects.
#[derive(Debug, Clone)]
pub struct TabSpec {
    /// Which server.
    pub peer: Peer,
    /// The server's address.
    pub server: SocketAddr,
    /// The loopback address to connect from (see [`super::source_address`]).
    pub source: IpAddr,
    /// Roomlink: the instant chat id or room id; Socket.IO: the room name.
    pub room: String,
    /// Roomlink: the `Cookie` header (guest chat cookie or session).
    pub cookie: Option<String>,
    /// Roomlink: the newest message id the tab has (0: none); the server
    /// sends everything after it on subscribing.
    pub after_id: i64,
}

/// What a tab is told to do.
#[derive(Debug)]
pub enum Command {
    /// Send one stamped message to the room.
    Send,
    /// Send a typing indicator (`true`: typing, `false`: stopped).
    Typing(bool),
    /// Close the connection (normally, with a close frame).
    Close,
    /// Drop the connection without a close frame, as a crashed tab would.
    Drop,
}

/// An open tab. Dropping it leaves the connection open until [`Tab::close`].
pub struct Tab {
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<()>,
    /// Roomlink: the newest message id this tab received.
    last_id: Arc<AtomicI64>,
}

type Socket = WebSocketStream<tokio::net::TcpStream>;

impl Tab {
    /// Connects, follows the room and waits until the server confirms it
    /// (`subscribed`, or the ack of `join`), then runs in its own task.
    /// Deliveries are recorded in `recorder` under tab number `index`.
    ///
    /// Roomlink tabs also record, in `acks`, when their own messages come
    /// back to them (send-to-acknowledgement: the server stored the line and
    /// published it).
    ///
    /// Errors: a short description (connect refused, handshake refused,
    /// unexpected frame).
    pub async fn open(spec: &TabSpec, index: usize, recorder: Arc<Recorder>, acks: Arc<Recorder>) -> Result<Tab, String> {
        let socket = if spec.server.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }.map_err(|e| e.to_string())?;
        socket.bind(SocketAddr::new(spec.source, 0)).map_err(|e| format!("bind {}: {e}", spec.source))?;
        let stream = socket.connect(spec.server).await.map_err(|e| format!("connect: {e}"))?;
        let _ = stream.set_nodelay(true);
        let url = match spec.peer {
            Peer::Roomlink => format!("ws://{}/live", spec.server),
            Peer::SocketIo | Peer::Bare => format!("ws://{}/socket.io/?EIO=4&transport=websocket", spec.server),
        };
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        let origin = HeaderValue::from_str(&format!("http://{}", spec.server)).map_err(|e| e.to_string())?;
        request.headers_mut().insert("origin", origin);
        if let Some(cookie) = &spec.cookie {
            request.headers_mut().insert("cookie", HeaderValue::from_str(cookie).map_err(|e| e.to_string())?);
        }
        let (mut ws, _) =
            client_async_with_config(request, stream, Some(client_config())).await.map_err(|e| format!("handshake: {e}"))?;
        let topic = match spec.peer {
            Peer::Roomlink => Some(roomlink_follow(&mut ws, &spec.room, spec.after_id).await?),
            Peer::SocketIo | Peer::Bare => {
                socketio_join(&mut ws, &spec.room).await?;
                None
            }
        };
        let (commands, inbox) = mpsc::unbounded_channel();
        let last_id = Arc::new(AtomicI64::new(spec.after_id));
        let own = format!(r#""client_id":"{}"#, client_id_prefix(index));
        let run = Running { peer: spec.peer, room: spec.room.clone(), topic, index, recorder, acks, own, sent: 0, last_id: last_id.clone() };
        Ok(Tab { commands, task: tokio::spawn(run.run(ws, inbox)), last_id })
    }

    /// Roomlink: the newest message id this tab received (0: none yet).
    pub fn last_id(&self) -> i64 {
        self.last_id.load(Ordering::Relaxed)
    }

    /// Tells the tab to do something; false when it has ended.
    pub fn tell(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Closes the connection and waits for the tab's task to end.
    pub async fn close(self) {
        self.tell(Command::Close);
        let _ = self.task.await;
    }

    /// True when the connection has ended (closed by either side).
    pub fn ended(&self) -> bool {
        self.task.is_finished()
    }
}

/// Most bytes a tab reads from its socket at once.
///
/// tungstenite's default read buffer is 128 KiB, and it zero-fills that much
/// before every read: with thousands of tabs each reading one small frame at
/// a time, that `memset` took 63% of the load client's core (`perf`, S2),
/// and the client, not the server, set the ceiling on every server measured.
/// 4 KiB holds a burst of chat frames.
const TAB_READ_BUFFER_BYTES: usize = 4 * 1024;

fn client_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(TAB_READ_BUFFER_BYTES)
}

/// Subscribes to a chat (an id of 16 characters) or room and waits for `subscribed`.
async fn roomlink_follow(ws: &mut Socket, room: &str, after_id: i64) -> Result<Topic, String> {
    let topic = match room.parse::<i64>() {
        Ok(id) => Topic::Room(id),
        Err(_) => Topic::Chat(room.to_string()),
    };
    let subscribe = ClientEvent::Subscribe { topic: topic.clone(), after_id };
    let frame = serde_json::to_string(&subscribe).map_err(|e| e.to_string())?;
    ws.send(Message::text(frame)).await.map_err(|e| e.to_string())?;
    loop {
        match next_text(ws).await? {
            text if text.contains(r#""type":"subscribed""#) => return Ok(topic),
            text if text.contains(r#""type":"refused""#) || text.contains(r#""type":"ended""#) => {
                return Err(format!("refused: {text}"))
            }
            _ => continue, // catch-up lines
        }
    }
}

/// Completes the Socket.IO handshake and joins `room`, waiting for the ack.
async fn socketio_join(ws: &mut Socket, room: &str) -> Result<(), String> {
    let open = next_text(ws).await?;
    if !open.starts_with('0') {
        return Err(format!("expected an Engine.IO open packet, got {open}"));
    }
    ws.send(Message::text("40")).await.map_err(|e| e.to_string())?;
    let connected = next_text(ws).await?;
    if !connected.starts_with("40") {
        return Err(format!("expected a Socket.IO connect packet, got {connected}"));
    }
    let join = format!("420{}", serde_json::json!(["join", room]));
    ws.send(Message::text(join)).await.map_err(|e| e.to_string())?;
    loop {
        match next_text(ws).await? {
            text if text.starts_with("430") => return Ok(()),
            text if text == "2" => ws.send(Message::text("3")).await.map_err(|e| e.to_string())?,
            _ => continue,
        }
    }
}

async fn next_text(ws: &mut Socket) -> Result<String, String> {
    let wait = Duration::from_secs(30);
    loop {
        match tokio::time::timeout(wait, ws.next()).await {
            Err(_) => return Err("no answer within 30 s".into()),
            Ok(None) => return Err("closed".into()),
            Ok(Some(Err(e))) => return Err(e.to_string()),
            Ok(Some(Ok(Message::Text(text)))) => return Ok(text.to_string()),
            Ok(Some(Ok(Message::Close(frame)))) => return Err(format!("closed: {frame:?}")),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// A tab's state once open.
struct Running {
    peer: Peer,
    room: String,
    topic: Option<Topic>,
    index: usize,
    recorder: Arc<Recorder>,
    /// Where this tab's own messages coming back are recorded.
    acks: Arc<Recorder>,
    /// `"client_id":"b<index>-`: what this tab's own messages carry.
    own: String,
    sent: u64,
    last_id: Arc<AtomicI64>,
}

impl Running {
    async fn run(mut self, mut ws: Socket, mut inbox: mpsc::UnboundedReceiver<Command>) {
        let mut heartbeat = tokio::time::interval(Duration::from_millis(roomlink::limits::HEARTBEAT_EVERY_MS.into()));
        heartbeat.tick().await;
        loop {
            tokio::select! {
                frame = ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(sent) = stamp_in(&text) {
                            self.recorder.record(self.index, sent);
                            if text.contains(self.own.as_str()) {
                                self.acks.record(self.index, sent);
                            }
                            if let Some(id) = message_id_in(&text) {
                                self.last_id.fetch_max(id, Ordering::Relaxed);
                            }
                        } else if self.peer != Peer::Roomlink && text.as_str() == "2" && ws.send(Message::text("3")).await.is_err() {
                            return;
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => {}
                },
                command = inbox.recv() => {
                    let frame = match command {
                        Some(Command::Send) => self.message(),
                        Some(Command::Typing(typing)) => match &self.topic {
                            Some(topic) => event(&ClientEvent::Typing { topic: topic.clone(), typing }),
                            None => format!("42{}", serde_json::json!(["typing", self.room, typing])),
                        },
                        Some(Command::Drop) => return,
                        Some(Command::Close) | None => {
                            let _ = ws.close(None).await;
                            return;
                        }
                    };
                    if ws.send(Message::text(frame)).await.is_err() {
                        return;
                    }
                }
                _ = heartbeat.tick(), if self.peer == Peer::Roomlink => {
                    if ws.send(Message::text(event(&ClientEvent::Ping))).await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// A stamped message frame for this tab's room.
    fn message(&mut self) -> String {
        self.sent += 1;
        let body = stamp(now_ns());
        match &self.topic {
            Some(topic) => event(&ClientEvent::Send {
                topic: topic.clone(),
                client_id: format!("{}{}", client_id_prefix(self.index), self.sent),
                body,
            }),
            None => format!("42{}", serde_json::json!(["message", self.room, body])),
        }
    }
}

/// What the client ids of tab `index`'s messages start with.
fn client_id_prefix(index: usize) -> String {
    format!("b{index}-")
}

/// The id of the message in a Roomlink `message` frame
/// (`{"type":"message","message":{"id":…`), if it is one.
fn message_id_in(frame: &str) -> Option<i64> {
    const KEY: &str = r#""message":{"id":"#;
    let start = frame.find(KEY)? + KEY.len();
    let digits = frame[start..].find(|c: char| !c.is_ascii_digit()).map_or(&frame[start..], |end| &frame[start..start + end]);
    digits.parse().ok()
}

fn event(event: &ClientEvent) -> String {
    serde_json::to_string(event).unwrap_or_default()
}

/// Follows `rooms` on one Roomlink WebSocket as `cookie`'s person (their
/// owner) and counts the "joined" lines of people whose names start with
/// `joiner` (S5). Returns once every room is followed; the task it starts
/// ends when `expected` such lines have come, with that instant, or after
/// 30 s without a frame, with an error naming how many came.
///
/// Errors: the connection or a subscription failed.
pub async fn watch_joined(
    server: SocketAddr,
    cookie: &str,
    rooms: &[i64],
    joiner: &str,
    expected: usize,
) -> Result<JoinHandle<Result<tokio::time::Instant, String>>, String> {
    let stream = tokio::net::TcpStream::connect(server).await.map_err(|e| format!("connect: {e}"))?;
    let mut request = format!("ws://{server}/live").into_client_request().map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert("origin", HeaderValue::from_str(&format!("http://{server}")).map_err(|e| e.to_string())?);
    headers.insert("cookie", HeaderValue::from_str(cookie).map_err(|e| e.to_string())?);
    let (mut ws, _) = client_async_with_config(request, stream, None).await.map_err(|e| format!("handshake: {e}"))?;
    for room in rooms {
        roomlink_follow(&mut ws, &room.to_string(), 0).await?;
    }
    let wanted = r#""kind":"joined""#;
    let author = format!(r#""author_name":"{joiner}"#);
    Ok(tokio::spawn(async move {
        let mut seen = 0;
        while seen < expected {
            let Ok(text) = next_text(&mut ws).await else {
                return Err(format!("{seen} of {expected} \"joined\" lines came"));
            };
            if text.contains(r#""type":"message""#) && text.contains(wanted) && text.contains(&author) {
                seen += 1;
            }
        }
        Ok(tokio::time::Instant::now())
    }))
}
