//! One live connection: the `/live` WebSocket of one browser tab.
//!
//! The upgrade ([`accept`]) needs either a logged-in session or an instant
//! chat cookie; the server's route checks the `Origin` header before it
//! (browsers always send one on WebSockets; without the check, any site
//! could open a socket with the visitor's cookies) and reads the session. After that, one task reads the tab's [`ClientEvent`]s and
//! writes the events of every topic it follows: member rooms need a
//! membership, instant chats a participant (see [`crate::live::guest_identity::chat_and_identity`]).

mod admission;
mod events;
mod follows;
mod send;


use axum::{
    extract::{
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures::{FutureExt, SinkExt, StreamExt};
use tower_sessions::{session::Id as SessionId, SessionStore};

use follows::Follows;

use super::{
    hub::{encode, Closing},
    check_message_body, ClientEvent, ServerEvent, Topic,
};
use crate::{
    error::Refusal,
    store::Change,
    clock::now_ms,
    limits::{LIVE_FRAME_MAX_BYTES, LIVE_LINES_BURST, LIVE_SESSION_CHECK_MS, LIVE_TYPING_BURST, LIVE_TYPING_PER_SECOND},
    live::LiveParts,
    types::accounts::CurrentUser,
};
use std::sync::Arc;

/// Bytes the server reads from a live socket at a time (the buffer grows
/// for a longer frame, up to [`LIVE_FRAME_MAX_BYTES`]). What tabs send is
/// small (a line is at most a few KiB), and every open tab keeps this buffer.
pub const LIVE_READ_BUFFER_BYTES: usize = 2 * 1024;

/// Bytes of frames gathered before writing them to the socket; every batch
/// of events is flushed as a whole anyway (so TCP_NODELAY sends it at once).
/// Small, because the buffer keeps its largest size for the socket's life:
/// at 16 KiB, a tab's catch-up left every idle tab 21 KiB bigger, and at
/// 4 KiB a burst of presence changes still left 5 KiB (S1, heaptrack).
pub const LIVE_WRITE_BUFFER_BYTES: usize = 1024;
/// Live events already waiting that are sent with the one being handled, in one write.
const LIVE_BATCH_EVENTS: usize = 64;
/// Turns of live events in a row (each up to [`LIVE_BATCH_EVENTS`] + 1
/// events) after which the tab's own frames are looked at, however busy
/// its rooms are, so that its sends and heartbeats are never starved.
const HUB_TURNS_PER_READ: u32 = 4;


/// Upgrades `GET /live` to the live WebSocket for `me` (logged in through
/// `session_id`, checked again on the tab's heartbeat) or for the instant
/// chat identities in the request's cookies. The caller has checked the
/// request's `Origin` and read the session.
///
/// Answers 401 when neither logged in nor carrying an instant chat cookie.
pub fn accept(
    live: Arc<LiveParts>,
    me: Option<CurrentUser>,
    session_id: Option<SessionId>,
    headers: &HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Copied, not cloned: a header value cloned from the request shares
    // hyper's whole read buffer (8-16 KiB), which would then live as long as
    // the socket (S1 in `crate::bench`, measured with heaptrack).
    let mut cookies = HeaderMap::new();
    for value in headers.get_all(axum::http::header::COOKIE) {
        if let Ok(owned) = axum::http::HeaderValue::from_bytes(value.as_bytes()) {
            cookies.append(axum::http::header::COOKIE, owned);
        }
    }
    let has_chat_cookie = cookies
        .get_all(axum::http::header::COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("roomlink_chat_")));
    if me.is_none() && !has_chat_cookie {
        return (StatusCode::UNAUTHORIZED, "Please log in or join a chat first").into_response();
    }
    let session_id = me.as_ref().and(session_id);
    upgrade
        .max_message_size(LIVE_FRAME_MAX_BYTES)
        .max_frame_size(LIVE_FRAME_MAX_BYTES)
        // tungstenite's 128 KiB read buffer, allocated up front, cost an idle
        // tab 150 KiB of server memory (S1 in `crate::bench`); frames are small.
        .read_buffer_size(LIVE_READ_BUFFER_BYTES)
        .write_buffer_size(LIVE_WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| Connection::new(live, me, session_id, cookies).run(socket))
}

/// The state of one tab's connection.
struct Connection {
    /// The server's parts.
    live: Arc<LiveParts>,
    /// The logged-in user, if any.
    me: Option<CurrentUser>,
    /// Their session, read again every [`LIVE_SESSION_CHECK_MS`] (on the
    /// tab's heartbeat): when it is gone, the connection ends.
    session_id: Option<SessionId>,
    /// When the session was last read (Unix ms).
    session_checked_at: i64,
    /// The upgrade request's `Cookie` headers (instant chat identities).
    cookies: HeaderMap,
    /// Topics followed: what the tab was sent of each, who it is there,
    /// and each topic's hub receiver.
    follows: Follows,
    /// Set when the last followed topic ended: the socket closes.
    closing: bool,
    /// The lines this tab may still send now (`None`: no limit, see
    /// [`crate::limits::LIVE_LINES_BURST`]).
    line_budget: Option<Budget>,
    /// The "is typing" signals this tab may still send now.
    typing_budget: Budget,
}

/// A token bucket of one socket (governor's GCRA).
type Budget = governor::DefaultDirectRateLimiter;

/// `per_second` steadily after a burst of `burst`; `None` for a rate of 0 (no limit).
fn budget(per_second: u32, burst: u32) -> Option<Budget> {
    let per_second = std::num::NonZeroU32::new(per_second)?;
    let burst = std::num::NonZeroU32::new(burst).unwrap_or(std::num::NonZeroU32::MIN);
    Some(governor::RateLimiter::direct(governor::Quota::per_second(per_second).allow_burst(burst)))
}

/// What handling one event produced: frames for this tab.
type TabFrames = Vec<Utf8Bytes>;

impl Connection {
    fn new(live: Arc<LiveParts>, me: Option<CurrentUser>, session_id: Option<SessionId>, cookies: HeaderMap) -> Self {
        let session_checked_at = now_ms();
        let line_budget = budget(live.lines_per_second, LIVE_LINES_BURST);
        let typing_budget = budget(LIVE_TYPING_PER_SECOND, LIVE_TYPING_BURST)
            .unwrap_or_else(|| governor::RateLimiter::direct(governor::Quota::per_second(std::num::NonZeroU32::MIN)));
        Connection {
            live,
            me,
            session_id,
            session_checked_at,
            cookies,
            follows: Follows::default(),
            closing: false,
            line_budget,
            typing_budget,
        }
    }

    async fn run(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let (_open, mut closing) = self.live.hub.open_connection(self.session_id.map(|id| id.to_string()).as_deref());
        let idle = std::time::Duration::from_secs(self.live.idle_timeout_secs.into());
        // One timer for the connection's life, moved on only when it fires:
        // a frame just notes the time, so that neither frames nor live
        // events (tens of thousands a second) touch the timer wheel.
        let mut heard_at = tokio::time::Instant::now();
        let silence = tokio::time::sleep(idle);
        tokio::pin!(silence);
        // Hub turns in a row that did not look at the tab's own frames.
        let mut hub_turns = 0;
        loop {
            let mut replies = TabFrames::new();
            let go_on = tokio::select! {
                // Live events first: when the hub wakes the task, the other
                // branches are not polled. Polling the socket's read side
                // takes the split lock and zero-fills tungstenite's read
                // buffer each time, about a tenth of the user-space work of
                // a delivery (issue 6, perf on S2). The tab's frames are
                // still read at least every few turns (below).
                biased;
                Some((key, item)) = self.follows.streams.next(), if !self.follows.is_empty() => {
                    self.hub_item(key, item, &mut replies).await;
                    // Live events already waiting go out in the same write.
                    for _ in 0..LIVE_BATCH_EVENTS {
                        let Some(Some((key, item))) = self.follows.streams.next().now_or_never() else { break };
                        self.hub_item(key, item, &mut replies).await;
                    }
                    hub_turns += 1;
                    if hub_turns < HUB_TURNS_PER_READ {
                        true
                    } else {
                        hub_turns = 0;
                        match stream.next().now_or_never() {
                            Some(incoming) => {
                                heard_at = tokio::time::Instant::now();
                                self.tab_frame(incoming, &mut replies).await
                            }
                            None => true,
                        }
                    }
                }
                incoming = stream.next() => {
                    hub_turns = 0;
                    heard_at = tokio::time::Instant::now(); // any frame counts as a heartbeat
                    self.tab_frame(incoming, &mut replies).await
                }
                Ok(why) = &mut closing => match why {
                    // The server is shutting down: "going away", so the tab
                    // reconnects (to another node, when there are several).
                    Closing::ShuttingDown => {
                        let _ = sink.send(Message::Close(Some(CloseFrame { code: 1001, reason: "server shutting down".into() }))).await;
                        false
                    }
                    // Logged out in this browser: every topic ends for this
                    // tab, then the socket closes (below).
                    Closing::LoggedOut => {
                        replies.extend(self.end_all(Refusal::LoggedOut));
                        true
                    }
                },
                () = &mut silence => {
                    if heard_at + idle > tokio::time::Instant::now() {
                        silence.as_mut().reset(heard_at + idle);
                        continue;
                    }
                    tracing::debug!("closing a live connection that went silent");
                    let _ = sink.send(Message::Close(Some(CloseFrame { code: 1001, reason: "no heartbeat".into() }))).await;
                    false
                }
            };
            if !go_on {
                break;
            }
            if replies.is_empty() && !self.closing {
                continue; // nothing to flush: what tungstenite owes the tab (a pong) goes with its next read
            }
            if !write_all(&mut sink, replies).await {
                break;
            }
            // A tab that missed a long stretch is caught up one page at a
            // time, each written before the next is read, and before any
            // other event of this connection (see `events::catch_up`).
            let mut written = true;
            while let Some(page) = self.next_catch_up_page().await {
                written = write_all(&mut sink, page).await;
                if !written {
                    break;
                }
            }
            if !written {
                break;
            }
            if self.closing {
                // The last topic ended (an instant chat closed): say goodbye.
                let _ = sink.send(Message::Close(Some(CloseFrame { code: 1000, reason: "ended".into() }))).await;
                break;
            }
        }
        Box::pin(self.unfollow_all()).await;
    }

    /// Handles what the tab sent (`None`: the socket is gone), adding the
    /// answers to `out`. Returns false when the connection is to close.
    async fn tab_frame(&mut self, incoming: Option<Result<Message, axum::Error>>, out: &mut TabFrames) -> bool {
        match incoming {
            // Boxed, like every rare await here: the task of an idle tab
            // then holds only what waiting needs (S1).
            Some(Ok(Message::Text(text))) => {
                out.extend(Box::pin(self.handle_text(&text)).await);
                true
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => false,
            Some(Ok(_)) => true, // pings are answered by axum; binary is not used
        }
    }

    /// Stops following every topic, when the socket closed.
    async fn unfollow_all(&mut self) {
        for topic in self.follows.topics() {
            let seen = self.unfollow(&topic);
            self.record_last_seen(seen).await;
        }
    }

    async fn handle_text(&mut self, text: &str) -> TabFrames {
        let Ok(event) = serde_json::from_str::<ClientEvent>(text) else {
            return vec![refused(None, None, Refusal::UnreadableRequest)];
        };
        match event {
            ClientEvent::Subscribe { topic, after_id } => self.subscribe(topic, after_id).await,
            ClientEvent::Unsubscribe { topic } => {
                let seen = self.unfollow(&topic);
                self.record_last_seen(seen).await;
                Vec::new()
            }
            ClientEvent::Send { topic, client_id, body } => self.send(topic, client_id, body).await,
            ClientEvent::Edit { topic, client_id, target_id, body } => {
                let body = match check_message_body(&body) {
                    Ok(body) => body,
                    Err(reason) => return vec![refused(Some(&topic), Some(client_id), reason)],
                };
                Box::pin(self.change(topic, client_id, target_id, Change::Edit(&body))).await
            }
            ClientEvent::Delete { topic, client_id, target_id } => {
                Box::pin(self.change(topic, client_id, target_id, Change::Delete)).await
            }
            ClientEvent::Typing { topic, typing } => {
                // Past its budget a typing signal is dropped: the next one
                // in budget says the same, and a refusal would only be noise.
                if self.typing_budget.check().is_err() {
                    return Vec::new();
                }
                if let Some((id, name)) = self.follows.get(&topic).and_then(|f| f.author.as_ref()) {
                    self.live.hub.typing(&topic, *id, name, typing);
                }
                Vec::new()
            }
            ClientEvent::Ping => Box::pin(self.heartbeat()).await,
            ClientEvent::Read { topic: Topic::Room(room_id), up_to } => {
                if let (Some(me), true) = (&self.me, self.follows.get(&Topic::Room(room_id)).is_some()) {
                    if let Err(err) = self.live.store.rooms().mark_read(room_id, me.id, up_to).await {
                        tracing::error!(error = %err, "marking a room read failed");
                    }
                }
                Vec::new()
            }
            ClientEvent::Read { .. } => Vec::new(), // instant chats keep no unread counts
        }
    }

    /// Answers a heartbeat with [`ServerEvent::Pong`]. Every
    /// [`LIVE_SESSION_CHECK_MS`] it first reads a logged-in connection's
    /// session again: when a log-out on another node ended it, every topic
    /// ends for this tab instead, and the socket closes.
    async fn heartbeat(&mut self) -> TabFrames {
        let now = now_ms();
        if let Some(id) = self.session_id.filter(|_| now - self.session_checked_at >= LIVE_SESSION_CHECK_MS) {
            self.session_checked_at = now;
            match self.live.store.sessions().load(&id).await {
                Ok(Some(_)) => {}
                Ok(None) => return self.end_all(Refusal::LoggedOut),
                // A database hiccup is not a log-out: try on the next beat.
                Err(err) => tracing::warn!(error = %err, "reading a live connection's session failed"),
            }
        }
        vec![pong()]
    }

    /// Frames that end every followed topic for this tab with `reason`; the
    /// socket closes once they are sent.
    fn end_all(&mut self, reason: Refusal) -> TabFrames {
        self.closing = true;
        self.follows.topics().into_iter().map(|topic| encode(&ServerEvent::Ended { topic, reason: reason.clone() })).collect()
    }

    /// Stops following `topic`, counting this connection out of its presence.
    /// Returns `(room id, user id)` when a member of a room just went offline,
    /// for [`Connection::record_last_seen`].
    fn unfollow(&mut self, topic: &Topic) -> Option<(i64, i64)> {
        let follow = self.follows.remove(topic)?;
        let offline = follow.author.is_some_and(|(id, _)| self.live.hub.disconnect(topic, id, now_ms()));
        self.live.hub.release(topic);
        match (topic, &self.me) {
            (Topic::Room(room_id), Some(me)) if offline => Some((*room_id, me.id)),
            _ => None,
        }
    }

    /// Stores when a member was last online in a room.
    async fn record_last_seen(&self, seen: Option<(i64, i64)>) {
        if let Some((room_id, user_id)) = seen {
            if let Err(err) = self.live.store.rooms().set_last_seen(room_id, user_id, now_ms()).await {
                tracing::error!(error = %err, "recording last seen failed");
            }
        }
    }
}

/// Writes `frames` to the tab and flushes them; false when the socket is gone.
async fn write_all<S>(sink: &mut S, frames: TabFrames) -> bool
where
    S: futures::Sink<Message> + Unpin,
{
    for frame in frames {
        if sink.feed(Message::Text(frame)).await.is_err() {
            return false;
        }
    }
    sink.flush().await.is_ok()
}

/// The [`ServerEvent::Pong`] frame, encoded once.
fn pong() -> Utf8Bytes {
    static PONG: std::sync::OnceLock<Utf8Bytes> = std::sync::OnceLock::new();
    PONG.get_or_init(|| encode(&ServerEvent::Pong)).clone()
}

fn refused(topic: Option<&Topic>, client_id: Option<String>, reason: Refusal) -> Utf8Bytes {
    encode(&ServerEvent::Refused { topic: topic.cloned(), client_id, reason })
}
