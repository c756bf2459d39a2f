//! The listening side of the bus: acting on every note, in the order
//! PostgreSQL delivers them.

use std::{sync::Arc, time::Duration};

use axum::extract::ws::Utf8Bytes;
use sqlx::postgres::PgListener;

use super::{Bus, Note, NoteKind};
use crate::{
    instant::memory::MemoryLines,
    live::{
        hub::{Hub, HubEvent},
        ChatMessage, ServerEvent, Topic,
    },
    server::now_ms,
    store::Store,
};

/// What the listener acts on.
pub(super) struct Here {
    pub(super) bus: Arc<Bus>,
    pub(super) hub: Arc<Hub>,
    pub(super) store: Store,
    pub(super) memory: Arc<MemoryLines>,
}

/// Acts on every note: publishes lines (this node's too) and the others' events.
pub(super) async fn listen(mut listener: PgListener, here: Here) {
    let bus = here.bus.clone();
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match serde_json::from_str::<Note>(notification.payload()) {
                Ok(note) => act(note, &here).await,
                Err(e) => tracing::warn!(error = %e, "unreadable live bus note"),
            },
            Ok(None) => {
                // The connection dropped and the next call reconnects; notes
                // sent meanwhile are lost, so ask again who is where.
                tracing::warn!("live bus connection lost; reconnecting");
                let _ = bus.note(NoteKind::Hello);
            }
            Err(e) => {
                tracing::error!(error = %e, "live bus listener failed; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn act(note: Note, here: &Here) {
    let (bus, hub, store) = (&*here.bus, &*here.hub, &here.store);
    let from_me = note.node == bus.node;
    if !from_me {
        bus.heard_from(note.node);
    }
    match note.kind {
        NoteKind::Line { topic, id, frame, plain } => {
            let event = match frame {
                Some(frame) => Some(HubEvent {
                    message_id: Some(id),
                    plain_frame: plain.map(Utf8Bytes::from),
                    ..HubEvent::new(Utf8Bytes::from(frame))
                }),
                None => read_line(store, &topic, id).await.map(|m| HubEvent::message(&m)),
            };
            if let (Topic::Chat(chat_id), Some(event), false) = (&topic, &event, from_me) {
                keep_in_memory(here, chat_id, event).await;
            }
            if let Some(event) = event {
                hub.deliver(&topic, event);
            }
        }
        NoteKind::Event { topic, frame, ends, only_for, rights_for } => {
            if let (Topic::Chat(chat_id), true, None, false) = (&topic, ends, only_for, from_me) {
                // The chat ended on another node: its lines go here too.
                here.memory.forget(chat_id);
                bus.keeps_history.lock().unwrap_or_else(|p| p.into_inner()).remove(chat_id);
            }
            let event = HubEvent { ends_topic: ends, only_for, rights_changed_for: rights_for, ..HubEvent::new(Utf8Bytes::from(frame)) };
            hub.deliver(&topic, event);
        }
        NoteKind::Arrived { topic, author } => hub.node_arrived(&topic, author, note.node),
        NoteKind::Left { topic, author, at } => hub.node_left(&topic, author, note.node, at),
        // Our own hello is back: the listening connection is up again, and
        // whatever was sent while it was down is in the tables: catch up.
        NoteKind::Hello if from_me => hub.resync_all(),
        _ if from_me => {}
        NoteKind::Hello => {
            for (topic, author) in hub.local_presence() {
                bus.arrived(&topic, author);
            }
        }
        NoteKind::Heartbeat => {}
        NoteKind::Bye => {
            bus.forget(note.node);
            hub.remote_node_gone(note.node, now_ms());
        }
    }
}

/// Keeps another node's line of a chat without history in this node's memory.
async fn keep_in_memory(here: &Here, chat_id: &str, event: &HubEvent) {
    let known = here.bus.keeps_history.lock().unwrap_or_else(|p| p.into_inner()).get(chat_id).copied();
    let keeps_history = match known {
        Some(keeps) => keeps,
        None => match here.store.instant_chats().get(chat_id).await {
            Ok(Some(chat)) => {
                here.bus.keeps_history.lock().unwrap_or_else(|p| p.into_inner()).insert(chat_id.to_string(), chat.keep_history);
                chat.keep_history
            }
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "reading an instant chat for the bus failed");
                return;
            }
        },
    };
    if keeps_history {
        return;
    }
    match serde_json::from_str::<ServerEvent>(event.frame.as_str()) {
        Ok(ServerEvent::Message { message }) => here.memory.replicate(chat_id, message),
        _ => tracing::warn!("a line of a chat without history could not be read back"),
    }
}

/// A line announced by id only (too big for a notification), from the tables.
async fn read_line(store: &Store, topic: &Topic, id: i64) -> Option<ChatMessage> {
    let found = match topic {
        Topic::Room(room_id) => store.messages().after(*room_id, id - 1, 1).await,
        Topic::Chat(chat_id) => store.instant_lines().after(chat_id, id - 1, 1).await,
    };
    match found {
        Ok(lines) => lines.into_iter().find(|m| m.id == id),
        Err(e) => {
            tracing::error!(error = %e, %topic, id, "reading an announced line failed");
            None
        }
    }
}

