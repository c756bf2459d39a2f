//! One live connection: the `/live` WebSocket of one browser tab.
//!
//! The upgrade needs a logged-in session and an `Origin` header naming this
//! server (browsers always send one on WebSockets; without the check, any site
//! could open a socket with the visitor's cookie). After that, one task reads
//! the tab's [`ClientEvent`]s and writes the events of every room it follows.

use std::collections::HashMap;

use axum::{
    extract::{
        ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        State,
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures::{SinkExt, StreamExt};
use tokio_stream::{
    wrappers::{errors::BroadcastStreamRecvError, BroadcastStream},
    StreamMap,
};
use tower_sessions::Session;

use super::{check_message_body, hub::encode, is_valid_client_id, ClientEvent, ServerEvent};
use crate::{
    accounts::{ssr::user_id_in, CurrentUser},
    limits::{LIVE_FRAME_MAX_BYTES, LIVE_ROOMS_PER_CONNECTION},
    server::{csrf::origin_matches, AppState},
};

/// Messages read from the database per query while catching a tab up.
const CATCH_UP_BATCH: usize = 500;

/// `GET /live`: upgrades to the live WebSocket.
///
/// Answers 403 when `Origin` is missing or names another site, 401 when not
/// logged in.
pub async fn live_handler(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_matches(&headers, &state.settings, true) {
        return (StatusCode::FORBIDDEN, "WebSocket from another site refused").into_response();
    }
    let user = match user_id_in(&session).await {
        Ok(Some(id)) => state.store.users().get(id).await.ok().flatten(),
        _ => None,
    };
    let Some(user) = user else {
        return (StatusCode::UNAUTHORIZED, "Please log in first").into_response();
    };
    let me = CurrentUser { id: user.id, username: user.username };
    upgrade
        .max_message_size(LIVE_FRAME_MAX_BYTES)
        .max_frame_size(LIVE_FRAME_MAX_BYTES)
        .on_upgrade(move |socket| Connection::new(state, me).run(socket))
}

/// The state of one tab's connection.
struct Connection {
    state: AppState,
    me: CurrentUser,
    /// Rooms followed, each with its hub receiver.
    rooms: StreamMap<i64, BroadcastStream<std::sync::Arc<super::hub::HubEvent>>>,
    /// Per followed room, the newest message id this tab has been sent.
    sent_up_to: HashMap<i64, i64>,
}

/// What handling one event produced: frames for this tab.
type Replies = Vec<Utf8Bytes>;

impl Connection {
    fn new(state: AppState, me: CurrentUser) -> Self {
        Connection { state, me, rooms: StreamMap::new(), sent_up_to: HashMap::new() }
    }

    async fn run(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        loop {
            let replies = tokio::select! {
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => self.handle_text(&text).await,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => continue, // pings are answered by axum; binary is not used
                },
                Some((room_id, item)) = self.rooms.next(), if !self.rooms.is_empty() => {
                    match item {
                        Ok(event) => self.live_event(room_id, &event),
                        Err(BroadcastStreamRecvError::Lagged(missed)) => {
                            tracing::debug!(room_id, missed, "follower lagged; catching up");
                            self.catch_up(room_id).await
                        }
                    }
                }
            };
            for frame in replies {
                if sink.send(Message::Text(frame)).await.is_err() {
                    break;
                }
            }
        }
        let followed: Vec<i64> = self.rooms.keys().copied().collect();
        drop(self.rooms);
        for room_id in followed {
            self.state.hub.release(room_id);
        }
    }

    async fn handle_text(&mut self, text: &str) -> Replies {
        let Ok(event) = serde_json::from_str::<ClientEvent>(text) else {
            return vec![refused(0, None, "The server could not read that request.")];
        };
        match event {
            ClientEvent::Subscribe { room_id, after_id } => self.subscribe(room_id, after_id).await,
            ClientEvent::Unsubscribe { room_id } => {
                self.rooms.remove(&room_id);
                self.sent_up_to.remove(&room_id);
                self.state.hub.release(room_id);
                Vec::new()
            }
            ClientEvent::Send { room_id, client_id, body } => self.send(room_id, client_id, body).await,
        }
    }

    async fn subscribe(&mut self, room_id: i64, after_id: i64) -> Replies {
        if self.rooms.contains_key(&room_id) {
            return self.catch_up(room_id).await;
        }
        if self.rooms.len() >= LIVE_ROOMS_PER_CONNECTION {
            return vec![refused(room_id, None, "This tab follows too many rooms; close some and reload.")];
        }
        match self.state.store.rooms().role_of(room_id, self.me.id).await {
            Ok(Some(_)) => {}
            Ok(None) => return vec![refused(room_id, None, "You are not a member of this room.")],
            Err(err) => {
                tracing::error!(error = %err, "membership check failed");
                return vec![refused(room_id, None, "Something went wrong on our side. Please reload.")];
            }
        }
        // Subscribe before reading the database, so nothing falls between the two.
        let receiver = self.state.hub.subscribe(room_id);
        self.rooms.insert(room_id, BroadcastStream::new(receiver));
        self.sent_up_to.insert(room_id, after_id.max(0));
        let mut replies = vec![encode(&ServerEvent::Subscribed { room_id })];
        replies.extend(self.catch_up(room_id).await);
        replies
    }

    /// Everything in `room_id` after what this tab was last sent, from the database.
    async fn catch_up(&mut self, room_id: i64) -> Replies {
        let mut replies = Vec::new();
        loop {
            let after = self.sent_up_to.get(&room_id).copied().unwrap_or(0);
            let batch = match self.state.store.messages().after(room_id, after, CATCH_UP_BATCH).await {
                Ok(batch) => batch,
                Err(err) => {
                    tracing::error!(error = %err, "catch-up failed");
                    break;
                }
            };
            let full = batch.len() == CATCH_UP_BATCH;
            for message in batch {
                self.sent_up_to.insert(room_id, message.id);
                replies.push(encode(&ServerEvent::Message { message }));
            }
            if !full {
                break;
            }
        }
        replies
    }

    fn live_event(&mut self, room_id: i64, event: &super::hub::HubEvent) -> Replies {
        if let Some(id) = event.message_id {
            let sent = self.sent_up_to.entry(room_id).or_insert(0);
            if id <= *sent {
                return Vec::new(); // already sent by a catch-up
            }
            *sent = id;
        }
        vec![event.frame.clone()]
    }

    async fn send(&mut self, room_id: i64, client_id: String, body: String) -> Replies {
        if !self.rooms.contains_key(&room_id) {
            return vec![refused(room_id, Some(client_id), "Open the room before sending to it.")];
        }
        if !is_valid_client_id(&client_id) {
            return vec![refused(room_id, None, "The message id is not valid; reload the page.")];
        }
        let body = match check_message_body(&body) {
            Ok(body) => body,
            Err(reason) => return vec![refused(room_id, Some(client_id), &reason)],
        };
        let (store, author_id) = (&self.state.store, self.me.id);
        let (client_ref, body_ref) = (&client_id, &body);
        let stored = self
            .state
            .hub
            .store_and_publish(room_id, || async move {
                let now = crate::server::now_ms();
                store.messages().insert(room_id, author_id, client_ref, body_ref, now).await
            })
            .await;
        match stored {
            // The hub delivers a new message to every follower, this tab included.
            Ok((_, true)) => Vec::new(),
            // A retry of a message stored before: tell this tab it is saved
            // (the tab ignores a message id it already shows).
            Ok((message, false)) => vec![encode(&ServerEvent::Message { message })],
            Err(err) => {
                tracing::error!(error = %err, "storing a message failed");
                vec![refused(room_id, Some(client_id), "Your message was not saved. Please try again.")]
            }
        }
    }
}

fn refused(room_id: i64, client_id: Option<String>, reason: &str) -> Utf8Bytes {
    encode(&ServerEvent::Refused { room_id, client_id, reason: reason.to_string() })
}
