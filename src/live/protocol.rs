//! The wire protocol of the live WebSocket: JSON text frames of
//! [`ClientEvent`] (browser to server) and [`ServerEvent`] (server to
//! browser), tagged by a `type` field (see the live layer's module
//! documentation for the subscribe and catch-up rules).

use serde::{Deserialize, Serialize};

use super::{ChatMessage, MemberView, Topic};
use crate::error::Refusal;

/// What a tab says to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientEvent {
    /// Follow a room or chat. `after_id` is the newest line id the tab has
    /// (0 for none): the server sends every later line before live ones.
    Subscribe {
        /// What to follow.
        topic: Topic,
        /// Newest line id the tab already shows.
        after_id: i64,
    },
    /// Stop following.
    Unsubscribe {
        /// What to stop following.
        topic: Topic,
    },
    /// Send a message to a followed room or chat.
    Send {
        /// Where to send (must be followed).
        topic: Topic,
        /// Tab-made id, 1-64 bytes of `[A-Za-z0-9_-]`. The server keeps one
        /// message per (sender, client id), so a retry never shows twice.
        client_id: String,
        /// Text; trimmed by the server, which refuses empty or over 4000 characters.
        body: String,
    },
    /// Edit one's own text message in a followed room: it now reads `body`
    /// (checked as a send's). Everyone following gets the edit line
    /// ([`crate::live::MessageKind::Edit`]); a refusal comes back as
    /// [`ServerEvent::Refused`] with `client_id`.
    Edit {
        /// The room (must be followed).
        topic: Topic,
        /// Tab-made id, as for a send: a retry is stored once.
        client_id: String,
        /// The message to edit.
        target_id: i64,
        /// The new text.
        body: String,
    },
    /// Delete a message in a followed room (one's own, or anyone's for
    /// those who moderate it) or instant chat (one's own, or any line for
    /// its host). Everyone following gets the delete line
    /// ([`crate::live::MessageKind::Delete`]); refused as [`ClientEvent::Edit`].
    Delete {
        /// The room (must be followed).
        topic: Topic,
        /// Tab-made id, as for a send.
        client_id: String,
        /// The message to delete.
        target_id: i64,
    },
    /// The person is typing (`true`, at most every 3 s while they type) or
    /// stopped (`false`). The server forgets a typing state after 6 s.
    Typing {
        /// Where they type (must be followed).
        topic: Topic,
        /// Typing or stopped.
        typing: bool,
    },
    /// Heartbeat, every [`crate::limits::HEARTBEAT_EVERY_MS`]: the server
    /// answers [`ServerEvent::Pong`] at once, and closes a connection silent
    /// for longer than the `live_idle_timeout_secs` setting (30 s by default).
    Ping,
    /// The person has seen a followed room up to line `up_to` (the tab is
    /// visible and scrolled to the newest). Feeds the unread counts.
    Read {
        /// The room or chat.
        topic: Topic,
        /// Newest line id seen.
        up_to: i64,
    },
}

/// One author in a [`ServerEvent::PresenceDiff`]'s `leaves`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WentOffline {
    /// Their author id.
    pub author_id: i64,
    /// When their last connection closed, Unix ms.
    pub last_seen_at: i64,
}

/// One author in a [`ServerEvent::TypingDiff`]'s `started`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typist {
    /// Their author id.
    pub author_id: i64,
    /// Their name, for "Ana is typing…".
    pub author_name: String,
}

/// What the server says to a tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// The tab now follows the topic; missed lines follow.
    Subscribed {
        /// What is followed.
        topic: Topic,
    },
    /// A line in a followed topic (the sender gets their own too).
    Message {
        /// The line.
        message: ChatMessage,
    },
    /// A request was refused; `reason` is for the person.
    Refused {
        /// What it concerned, when known.
        topic: Option<Topic>,
        /// The refused send's client id, when a send was refused.
        client_id: Option<String>,
        /// Why, worded for the person in their language by the page
        /// ([`Refusal::message`]).
        reason: Refusal,
    },
    /// Who is online in a topic now, sent right after [`ServerEvent::Subscribed`].
    Presence {
        /// The topic.
        topic: Topic,
        /// Author ids with at least one open connection there.
        online: Vec<i64>,
    },
    /// Who came online (first connection) or went offline (last one closed)
    /// since the last diff: Phoenix Presence's `presence_diff`, with its
    /// `joins` and `leaves`. A lone change goes out at once; changes that
    /// follow within [`crate::limits::PRESENCE_BATCH_MS`] go together in the
    /// next diff, as Slack batches `presence_change`, so a class of 30
    /// opening the room at once is one frame per tab, not 30. Each author is
    /// in at most one list, with their latest state: apply it over what the
    /// tab has (a diff is an assignment, so one seen twice changes nothing).
    PresenceDiff {
        /// The topic.
        topic: Topic,
        /// Author ids now online, ascending.
        joins: Vec<i64>,
        /// Authors now offline, ascending by id.
        leaves: Vec<WentOffline>,
    },
    /// Who started or stopped typing since the last typing diff. A lone
    /// change goes out at once; changes that follow within
    /// [`crate::limits::TYPING_BATCH_MS`] go together in the next diff, so
    /// however many people type, a tab gets at most one such frame per
    /// window. On one server a line carries the changes waiting (the diff
    /// comes just before it), and where lines flow (a line within a window,
    /// and the one before it within a window of it), typing changes wait
    /// for the next line (one window, two at most), so typing costs no
    /// frame of its own. Each author is in at most one list, with their
    /// latest state: apply it over what the tab shows. Everyone following
    /// gets it; a tab ignores its own author id. Someone who sends a line
    /// has stopped typing: the server says so no later than the line itself.
    TypingDiff {
        /// The topic.
        topic: Topic,
        /// Who is typing now, ascending by author id.
        started: Vec<Typist>,
        /// Author ids who stopped (or lapsed, or left), ascending.
        stopped: Vec<i64>,
    },
    /// A member's role or permissions changed (made moderator, muted…):
    /// the member list shows the new tags; their own tabs adjust what they offer.
    MemberUpdated {
        /// The room.
        topic: Topic,
        /// The member as the list shows them now.
        member: MemberView,
    },
    /// How many join requests wait in the room now: sent to its owner and
    /// moderators only, right after [`ServerEvent::Subscribed`] when some
    /// wait (none otherwise: a tab counts 0 from `Subscribed` on), and
    /// whenever a request is made, approved, declined or withdrawn. The room shows it as a badge; its
    /// "Join requests" panel reads the list again.
    JoinRequests {
        /// The room.
        topic: Topic,
        /// Requests waiting.
        pending: i64,
    },
    /// The answer to [`ClientEvent::Ping`]. A tab that hears nothing within
    /// [`crate::limits::HEARTBEAT_ANSWER_MS`] of a ping takes the connection
    /// for dead and reconnects (a cut network often leaves a socket that
    /// neither end sees close).
    Pong,
    /// The topic is over for good (an instant chat ended or expired, the
    /// person left it, or logged out in this browser): the tab no longer
    /// follows it and should not try again.
    Ended {
        /// What ended.
        topic: Topic,
        /// Why, e.g. [`Refusal::EndedByHost`] ("The host ended this chat.").
        reason: Refusal,
    },
}
