//! The listening side of the bus: acting on every note, in the order
//! PostgreSQL delivers them.

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use axum::extract::ws::Utf8Bytes;
use sqlx::postgres::PgListener;

use super::{
    wire::{LineNote, Payload, Reassembly, StoredNote},
    Bus, Note, NoteKind,
};
use crate::{
    live::timeline::memory::MemoryLines,
    limits::{BUS_REPLAY_MARGIN_IDS, BUS_REPLAY_WAIT_MS},
    live::{
        hub::{Hub, HubEvent, HubEventKind},
        ChatMessage, Topic,
    },
    clock::now_ms,
    store::Store,
};

/// What the listener acts on.
#[derive(Clone)]
pub(super) struct ListenerParts {
    pub(super) bus: Arc<Bus>,
    pub(super) hub: Arc<Hub>,
    pub(super) store: Store,
    pub(super) memory: Arc<MemoryLines>,
}

/// Acts on every note: publishes lines (this node's too) and the others' events.
pub(super) async fn listen(mut listener: PgListener, here: ListenerParts) {
    let bus = here.bus.clone();
    let mut reassembly = Reassembly::default();
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match reassembly.read(notification.payload()) {
                Payload::Line(id, json) => match serde_json::from_str::<LineNote>(&json) {
                    Ok(LineNote { node, mut message }) => {
                        message.id = id;
                        line(node, message, &here).await;
                    }
                    Err(e) => tracing::warn!(error = %e, id, "unreadable line on the live bus"),
                },
                Payload::Stored(id, json) => match serde_json::from_str::<StoredNote>(json) {
                    Ok(StoredNote { node, topic }) => {
                        if let Some(message) = stored_line(&here, &topic, id).await {
                            line(node, message, &here).await;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, id, "unreadable stored line note on the live bus"),
                },
                Payload::Note(json) => match serde_json::from_str::<Note>(json) {
                    Ok(note) => act(note, &here),
                    Err(e) => tracing::warn!(error = %e, "unreadable live bus note"),
                },
                Payload::Part => {}
                Payload::Unreadable => tracing::warn!("unreadable live bus notification (or a line cut short)"),
            },
            Ok(None) => {
                // The connection dropped and the next call reconnects; notes
                // sent meanwhile are lost, so ask again who is where.
                tracing::warn!("live bus connection lost; reconnecting");
                reassembly.clear();
                let drop = bus.lost_hearing();
                let _ = bus.note(NoteKind::Hello);
                tokio::spawn(serve_anyway_after_a_while(here.clone(), drop));
            }
            Err(e) => {
                tracing::error!(error = %e, "live bus listener failed; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Publishes a new line to this node's tabs; keeps another node's line of
/// an instant chat without history in memory here too. While lines of
/// those chats may be missing here ([`Bus::is_whole`]), theirs are kept
/// but not delivered: tabs catch up on them in order once whole.
async fn line(node: u64, message: ChatMessage, here: &ListenerParts) {
    if node != here.bus.node {
        here.bus.heard_from(node);
    }
    if let Topic::Chat(chat_id) = &message.topic {
        if !keeps_history(here, chat_id).await.unwrap_or(true) {
            here.bus.heard_unstored(message.id);
            if node != here.bus.node {
                here.memory.replicate(chat_id, message.clone());
            }
            if !here.bus.is_whole() {
                return;
            }
        }
    }
    here.hub.deliver(&message.topic, HubEvent::message(&message));
}

/// The listening connection is back (this node's hello came back): ask the
/// others for the lines of chats without history announced meanwhile.
/// Every tab here was told to catch up; those of chats without history wait
/// for the answer ([`crate::live::hub::Hub::until_whole`]).
fn ask_again(here: &ListenerParts) {
    let bus = &here.bus;
    if bus.heard.lock().unwrap_or_else(|p| p.into_inner()).is_empty() {
        return whole_again(here); // no other node: nobody announced anything meanwhile
    }
    let after = bus.newest_unstored.load(Ordering::Relaxed).saturating_sub(BUS_REPLAY_MARGIN_IDS);
    let _ = bus.note(NoteKind::Replay { after });
}

/// Serves chats without history with what is here if, [`BUS_REPLAY_WAIT_MS`]
/// after drop number `drop` of the listening connection, no node has sent
/// again what was missed (none answered, or the hello was lost): tabs wait
/// no longer than that. Logged.
async fn serve_anyway_after_a_while(here: ListenerParts, drop: u64) {
    tokio::time::sleep(Duration::from_millis(BUS_REPLAY_WAIT_MS)).await;
    if !here.bus.is_whole() && here.bus.drops.load(Ordering::Relaxed) == drop {
        tracing::warn!("no node sent again the lines missed while the live bus was down; serving what is here");
        whole_again(&here);
        // Should this node's hello have been lost, its tabs were never told
        // to catch up: they are now.
        here.hub.resync_all();
    }
}

/// Lines of chats without history are whole here again: tabs waiting to
/// catch up on those chats go on ([`Bus::until_whole`]), and their lines
/// are delivered again.
fn whole_again(here: &ListenerParts) {
    here.bus.whole.send_replace(true);
}

/// Line `id` of `topic`, read from the tables (it was announced by id only:
/// it is committed before its notification is sent). `None`, logged, if it
/// cannot be read; tabs then get it when they next catch up.
async fn stored_line(here: &ListenerParts, topic: &Topic, id: i64) -> Option<ChatMessage> {
    let read = match topic {
        Topic::Room(room_id) => here.store.messages().after(*room_id, id - 1, 1).await,
        Topic::Chat(chat_id) => here.store.instant_lines().after(chat_id, id - 1, 1).await,
    };
    match read {
        Ok(lines) => {
            let found = lines.into_iter().find(|l| l.id == id);
            if found.is_none() {
                tracing::warn!(id, %topic, "a line announced on the live bus is not in the tables");
            }
            found
        }
        Err(e) => {
            tracing::error!(error = %e, id, %topic, "reading a line announced on the live bus failed");
            None
        }
    }
}

fn act(note: Note, here: &ListenerParts) {
    let (bus, hub) = (&*here.bus, &*here.hub);
    let from_me = note.node == bus.node;
    if !from_me {
        bus.heard_from(note.node);
    }
    match note.kind {
        NoteKind::Event { topic, frame, ends, only_for, rights_for, for_managers } => {
            if let (Topic::Chat(chat_id), true, None) = (&topic, ends, only_for) {
                // The chat ended: its lines go, here too.
                if !from_me {
                    here.memory.forget(chat_id);
                }
                bus.keeps_history.lock().unwrap_or_else(|p| p.into_inner()).remove(chat_id);
            }
            let kind = match (ends, rights_for) {
                (true, _) => HubEventKind::Ends { only_for },
                (false, Some(author_id)) => HubEventKind::RightsChanged { author_id },
                (false, None) if for_managers => HubEventKind::ForManagers,
                (false, None) => HubEventKind::Plain,
            };
            let event = HubEvent { frame: Utf8Bytes::from(frame), kind };
            hub.deliver(&topic, event);
        }
        NoteKind::Arrived { topic, author } => hub.node_arrived(&topic, author, note.node),
        NoteKind::Left { topic, author, at } => hub.node_left(&topic, author, note.node, at),
        // Our own hello is back: the listening connection is up again, and
        // whatever was sent while it was down is in the tables (catch up),
        // or, for chats without history, with the other nodes (ask them).
        NoteKind::Hello if from_me => {
            // Tabs of chats without history wait in their catch-up until
            // the lines missed here are back (see `Connection::admit`).
            hub.resync_all();
            if !bus.is_whole() {
                ask_again(here);
            }
        }
        _ if from_me => {}
        // Every node answers, also one that lost its own connection (after
        // a restart of PostgreSQL all did, and nobody could post meanwhile).
        NoteKind::Replay { after } => bus.replay(&here.memory, after, note.node),
        NoteKind::SessionEnded { key } => {
            let bytes: Option<Vec<u8>> =
                (0..key.len()).step_by(2).map(|i| key.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
            match bytes.and_then(|b| <crate::live::hub::SessionKey>::try_from(b).ok()) {
                Some(key) => {
                    hub.end_session_here(&key);
                }
                None => tracing::warn!("unreadable session key on the live bus"),
            }
        }
        NoteKind::Replayed { to } => {
            if to == bus.node && !bus.is_whole() {
                whole_again(here);
            }
        }
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

/// Whether the instant chat keeps history (it never changes, so it is read
/// once); `None` if the chat is gone or could not be read.
async fn keeps_history(here: &ListenerParts, chat_id: &str) -> Option<bool> {
    let known = here.bus.keeps_history.lock().unwrap_or_else(|p| p.into_inner()).get(chat_id).copied();
    if known.is_some() {
        return known;
    }
    match here.store.instant_chats().get(chat_id).await {
        Ok(Some(chat)) => {
            here.bus.keeps_history.lock().unwrap_or_else(|p| p.into_inner()).insert(chat_id.to_string(), chat.keep_history);
            Some(chat.keep_history)
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "reading an instant chat for the bus failed");
            None
        }
    }
}
