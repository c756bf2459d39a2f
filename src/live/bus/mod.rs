//! The bus: how several Roomlink nodes on one PostgreSQL database make one
//! live layer. PostgreSQL's `LISTEN`/`NOTIFY` carries it
//! (<https://www.postgresql.org/docs/current/sql-notify.html>): every node
//! listens on one channel, [`CHANNEL`], with one connection, and announces
//! there, as small JSON [`Note`]s, what its hub publishes: lines, typing,
//! endings, rights changes, and who arrived on it or left it (presence).
//! Lines and events reach this node's own tabs the same way, back from
//! PostgreSQL, so every tab sees them in one order.
//!
//! Order: a line is stored and announced while the node holds a PostgreSQL
//! advisory lock on its topic, so the announcements of one topic are sent in
//! the order of the line ids. PostgreSQL delivers notifications in the order
//! they were committed, so every node, the sender included, publishes the
//! lines of a topic from [`Bus`]'s listener, in id order, and a tab's
//! "skip what was already sent" can never skip a line it has not seen.
//!
//! Liveness: each node sends a heartbeat every [`BUS_HEARTBEAT_MS`]; a node
//! not heard from for [`BUS_NODE_TIMEOUT_MS`] is dropped and its people go
//! offline. A node that starts (or whose listening connection came back)
//! says hello, and the others tell it who is on them; when its own hello
//! comes back, its tabs catch up from the tables on whatever the lost
//! connection missed. A node that shuts down says goodbye.
//!
//! Chats without history are in no table: a node whose listening
//! connection dropped asks the others to send again the lines announced
//! while it was deaf ([`NoteKind::Replay`]); until one has answered (or
//! [`BUS_REPLAY_WAIT_MS`] passed), it keeps those chats' lines without
//! delivering them and tabs wait to follow them, then every tab catches up
//! in id order (issue 37).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

mod announcer;
mod listen;
pub mod wire;

use announcer::Announcer;
use listen::{listen, ListenerParts};
use wire::{line_pieces, with_id};

use super::{
    hub::{Hub, HubEvent, HubEventKind},
    ChatMessage, Topic,
};
use crate::{
    live::timeline::memory::MemoryLines,
    limits::{
        BUS_HEARTBEAT_MS, BUS_LINE_INLINE_MAX_BYTES, BUS_NODE_TIMEOUT_MS, BUS_NOTE_MAX_BYTES, BUS_REPLAY_MAX_LINES,
        BUS_REPLAY_WAIT_MS,
    },
    clock::now_ms,
    store::{
        node_bus::{NodeBus, CHANNEL},
        Store, StoreError,
    },
};

/// Notes sent together in one statement when several are waiting.
const NOTES_PER_STATEMENT: usize = 64;

/// One announcement from a node (lines travel as [`LineNote`]s, see [`wire`]).
#[derive(Debug, Serialize, Deserialize)]
pub struct Note {
    /// The sending node's random id.
    pub node: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: NoteKind,
}

/// What a [`Note`] says.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum NoteKind {
    /// Any other event for the topic's followers, as [`HubEvent`] carries it.
    Event {
        topic: Topic,
        frame: String,
        ends: bool,
        only_for: Option<i64>,
        rights_for: Option<i64>,
        /// For the room's moderators only ([`HubEventKind::ForManagers`]).
        #[serde(default)]
        for_managers: bool,
    },
    /// The node has its first connection of `author` in `topic`.
    Arrived { topic: Topic, author: i64 },
    /// The node closed its last connection of `author` in `topic`, at `at` (Unix ms).
    Left { topic: Topic, author: i64, at: i64 },
    /// The node started (or its listening connection came back): tell it who is where.
    Hello,
    /// The node is alive.
    Heartbeat,
    /// The node is shutting down.
    Bye,
    /// The node's listening connection came back after a drop: each node
    /// that heard all along sends again the lines of chats without history
    /// above `after` (no table holds them), then [`NoteKind::Replayed`].
    Replay { after: i64 },
    /// A node has sent again all it holds for the [`NoteKind::Replay`] of node `to`.
    Replayed { to: u64 },
    /// A session ended (a log-out): every node closes its live connections.
    /// `key` is the hex SHA-256 of the session id, never the id itself.
    SessionEnded { key: String },
}

/// This node's link to the others. Made by [`Bus::start`].
pub struct Bus {
    node: u64,
    node_bus: NodeBus,
    outbox: mpsc::UnboundedSender<String>,
    /// New lines of instant chats without history, announced in batches.
    announcer: Announcer,
    /// When each other node was last heard from.
    heard: Mutex<HashMap<u64, Instant>>,
    /// Whether each instant chat seen on the bus keeps history (it never changes).
    keeps_history: Mutex<HashMap<String, bool>>,
    /// True while this node holds every line of chats without history it
    /// heard of: false from a drop of the listening connection until the
    /// other nodes have sent again what it missed ([`NoteKind::Replay`]).
    /// Meanwhile those chats' lines are kept but not delivered, and tabs
    /// wait to follow them, so no tab skips a line that comes back late.
    whole: tokio::sync::watch::Sender<bool>,
    /// The newest id of a line of a chat without history heard on the bus.
    newest_unstored: AtomicI64,
    /// Counts the drops of the listening connection, so that the wait for
    /// one drop's answers cannot end the wait for a later one.
    drops: AtomicU64,
}

impl Bus {
    /// Connects to PostgreSQL at `database_url`, listens on [`CHANNEL`], and
    /// starts the tasks that send notes, act on the others' notes and keep
    /// the heartbeat. Says hello. Errors: a message for the operator (no password in it).
    ///
    /// Lines of instant chats without history that other nodes post are kept
    /// in `memory` too, so tabs here catch up on them.
    pub async fn start(database_url: &str, hub: Arc<Hub>, store: Store, memory: Arc<MemoryLines>) -> Result<Arc<Bus>, String> {
        let node_bus = NodeBus::connect(database_url).await.map_err(|e| e.to_string())?;
        let listener = node_bus.listener().await.map_err(|e| format!("LISTEN {CHANNEL}: {e}"))?;
        let (outbox, notes) = mpsc::unbounded_channel();
        let announcer = Announcer::start(node_bus.clone());
        let bus = Arc::new(Bus {
            node: rand::random(),
            node_bus,
            outbox,
            announcer,
            heard: Mutex::default(),
            keeps_history: Mutex::default(),
            whole: tokio::sync::watch::Sender::new(true),
            newest_unstored: AtomicI64::new(0),
            drops: AtomicU64::new(0),
        });
        tokio::spawn(send_notes(bus.node_bus.clone(), notes));
        let here = ListenerParts { bus: bus.clone(), hub: hub.clone(), store, memory };
        tokio::spawn(listen(listener, here));
        tokio::spawn(keep_alive(bus.clone(), hub));
        let _ = bus.note(NoteKind::Hello);
        tracing::info!(node = bus.node, "live bus started: LISTEN {CHANNEL}");
        Ok(bus)
    }

    /// This node's random id.
    pub fn node(&self) -> u64 {
        self.node
    }

    /// Queues a note. False when it could not be (too big, or the sender stopped).
    fn note(&self, kind: NoteKind) -> bool {
        match serde_json::to_string(&Note { node: self.node, kind }) {
            Ok(payload) if payload.len() <= BUS_NOTE_MAX_BYTES => self.outbox.send(payload).is_ok(),
            Ok(payload) => {
                tracing::warn!(bytes = payload.len(), "live event too big for the bus; other nodes miss it");
                false
            }
            Err(e) => {
                tracing::error!(error = %e, "encoding a bus note failed");
                false
            }
        }
    }

    /// Hands an event the hub published to every node, this one included
    /// (the listener delivers it). False when it could not go out: deliver it here.
    pub fn forward(&self, topic: &Topic, event: &HubEvent) -> bool {
        let (ends, only_for, rights_for) = match event.kind {
            HubEventKind::Ends { only_for } => (true, only_for, None),
            HubEventKind::RightsChanged { author_id } => (false, None, Some(author_id)),
            _ => (false, None, None),
        };
        let for_managers = matches!(event.kind, HubEventKind::ForManagers);
        let frame = event.frame.as_str().to_owned();
        self.note(NoteKind::Event { topic: topic.clone(), frame, ends, only_for, rights_for, for_managers })
    }

    /// Tells the others that the session `key` names ended: they close its
    /// live connections (see [`crate::live::hub::Hub::end_session`]).
    pub fn session_ended(&self, key: &crate::live::hub::SessionKey) {
        let key = key.iter().map(|b| format!("{b:02x}")).collect();
        let _ = self.note(NoteKind::SessionEnded { key });
    }

    /// Tells the others `author` has a connection in `topic` here now.
    pub fn arrived(&self, topic: &Topic, author: i64) {
        let _ = self.note(NoteKind::Arrived { topic: topic.clone(), author });
    }

    /// Tells the others `author`'s last connection in `topic` here closed at `at_ms`.
    pub fn left(&self, topic: &Topic, author: i64, at_ms: i64) {
        let _ = self.note(NoteKind::Left { topic: topic.clone(), author, at: at_ms });
    }

    /// Says goodbye at once (not through the queue), so the others mark this
    /// node's people offline now rather than after the timeout.
    pub async fn leave(&self) {
        if let Ok(payload) = serde_json::to_string(&Note { node: self.node, kind: NoteKind::Bye }) {
            if let Err(e) = self.node_bus.ring(&[payload]).await {
                tracing::warn!(error = %e, "could not say goodbye on the live bus");
            }
        }
    }

    /// Stores a line with `store` under the topic's advisory lock and, when
    /// it is new, announces it before letting go, so that the lines of a
    /// topic are announced in id order across nodes. The listener publishes
    /// it (on this node too). Errors: `store`'s, or the lock's as [`StoreError::Db`].
    /// If the line was stored but the announcement failed, the line is
    /// returned and the failure logged: tabs get it when they next catch up.
    pub async fn store_and_announce<F, Fut, E>(&self, topic: &Topic, store: F) -> Result<(ChatMessage, bool), E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(ChatMessage, bool), E>>,
        E: From<StoreError>,
    {
        let hold = self.node_bus.hold(&topic.to_string()).await.map_err(E::from)?;
        let stored = store().await;
        let payloads = match &stored {
            Ok((message, true)) => with_id(message.id, &self.stored_line_payloads(message)),
            _ => Vec::new(),
        };
        if let Err(e) = hold.ring_and_release(&payloads).await {
            tracing::error!(error = %e, %topic, "announcing a line failed");
        }
        stored
    }

    /// Announces `line`, a new line of an instant chat without history that
    /// nothing stores; PostgreSQL hands out its id in the same round trip,
    /// which it may share with other lines waiting on this node (see
    /// [`announcer`] and [`NodeBus::announce_new_lines`]). Returns the line
    /// with that id. The listener publishes it (on this node too). Errors:
    /// [`StoreError::Db`]; nothing was announced.
    pub async fn announce_new_line(&self, mut line: ChatMessage) -> Result<ChatMessage, StoreError> {
        let pieces = self.line_payloads(&line).ok_or_else(|| StoreError::Db(sqlx::Error::Protocol("unencodable line".into())))?;
        line.id = self.announcer.announce(line.topic.to_string(), pieces).await?;
        Ok(line)
    }

    /// A stored line's payloads without its id in front: the line itself when
    /// it is short, else a note to read it from the tables; none (logged) if
    /// it cannot be encoded.
    fn stored_line_payloads(&self, message: &ChatMessage) -> Vec<String> {
        match self.line_payloads(message) {
            Some(pieces) if pieces.len() == 1 && pieces[0].len() <= BUS_LINE_INLINE_MAX_BYTES => pieces,
            _ => wire::stored_note(self.node, &message.topic)
                .map(|note| vec![note])
                .map_err(|e| tracing::error!(error = %e, "encoding a line for the bus failed"))
                .unwrap_or_default(),
        }
    }

    /// `message`'s payloads without its id in front; `None` (logged) if it cannot be encoded.
    fn line_payloads(&self, message: &ChatMessage) -> Option<Vec<String>> {
        line_pieces(self.node, message).map_err(|e| tracing::error!(error = %e, "encoding a line for the bus failed")).ok()
    }

    /// True unless lines of chats without history may be missing here
    /// (see [`Bus::whole`]).
    pub fn is_whole(&self) -> bool {
        *self.whole.borrow()
    }

    /// Waits until this node holds every line of chats without history it
    /// should, at most [`BUS_REPLAY_WAIT_MS`]; at once in the usual case.
    pub async fn until_whole(&self) {
        let mut whole = self.whole.subscribe();
        let wait = Duration::from_millis(BUS_REPLAY_WAIT_MS);
        let _ = tokio::time::timeout(wait, whole.wait_for(|w| *w)).await;
    }

    /// The listening connection dropped: what was announced meanwhile is
    /// missing here until it is asked for again. Returns the drop's number.
    fn lost_hearing(&self) -> u64 {
        self.whole.send_replace(false);
        self.drops.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Notes the id of a line of a chat without history heard on the bus.
    fn heard_unstored(&self, id: i64) {
        self.newest_unstored.fetch_max(id, Ordering::Relaxed);
    }

    /// Sends again, from this node, the lines of chats without history in
    /// `memory` above `after` (at most [`BUS_REPLAY_MAX_LINES`], the
    /// newest), then says so to node `to`, which asked ([`NoteKind::Replay`]).
    fn replay(&self, memory: &MemoryLines, after: i64, to: u64) {
        let lines = memory.all_after(after, BUS_REPLAY_MAX_LINES);
        if lines.len() == BUS_REPLAY_MAX_LINES {
            tracing::warn!(to, lines = lines.len(), "a node missed more lines than are sent again; it keeps a gap");
        }
        for line in &lines {
            for payload in with_id(line.id, &self.line_payloads(line).unwrap_or_default()) {
                let _ = self.outbox.send(payload);
            }
        }
        tracing::info!(to, lines = lines.len(), "sent again the lines a node missed");
        let _ = self.note(NoteKind::Replayed { to });
    }

    fn heard_from(&self, node: u64) {
        self.heard.lock().unwrap_or_else(|p| p.into_inner()).insert(node, Instant::now());
    }

    fn forget(&self, node: u64) {
        self.heard.lock().unwrap_or_else(|p| p.into_inner()).remove(&node);
    }
}

/// Sends queued notes in order, several per statement when they pile up.
async fn send_notes(node_bus: NodeBus, mut notes: mpsc::UnboundedReceiver<String>) {
    while let Some(first) = notes.recv().await {
        let mut batch = vec![first];
        while batch.len() < NOTES_PER_STATEMENT {
            match notes.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        let sent = node_bus.ring(&batch).await;
        if let Err(e) = sent {
            tracing::error!(error = %e, notes = batch.len(), "sending live bus notes failed");
        }
    }
}

/// Sends the heartbeat and drops nodes that went silent.
async fn keep_alive(bus: Arc<Bus>, hub: Arc<Hub>) {
    let mut tick = tokio::time::interval(Duration::from_millis(BUS_HEARTBEAT_MS));
    loop {
        tick.tick().await;
        let _ = bus.note(NoteKind::Heartbeat);
        let timeout = Duration::from_millis(BUS_NODE_TIMEOUT_MS);
        let silent: Vec<u64> = {
            let mut heard = bus.heard.lock().unwrap_or_else(|p| p.into_inner());
            let silent: Vec<u64> = heard.iter().filter(|(_, at)| at.elapsed() > timeout).map(|(node, _)| *node).collect();
            heard.retain(|node, _| !silent.contains(node));
            silent
        };
        for node in silent {
            tracing::warn!(node, "live bus: a node went silent; its people go offline");
            hub.remote_node_gone(node, now_ms());
        }
    }
}
