//! The timeline's shared types: what a tab follows, the lines it shows
//! and who belongs to a room or chat.

use serde::{Deserialize, Serialize};

use crate::{
    error::Refusal,
    limits::{CLIENT_ID_MAX_BYTES, MESSAGE_MAX_CHARS},
};

/// What a tab can follow: a member room or an instant chat.
///
/// On the wire it is one string, `room:<id>` or `chat:<id>`, so logs and
/// frames stay short.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Topic {
    /// A member room, by its id.
    Room(i64),
    /// An instant chat, by its nanoid.
    Chat(String),
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Topic::Room(id) => write!(f, "room:{id}"),
            Topic::Chat(id) => write!(f, "chat:{id}"),
        }
    }
}

impl From<Topic> for String {
    fn from(topic: Topic) -> String {
        topic.to_string()
    }
}

impl TryFrom<String> for Topic {
    type Error = String;

    /// Parses `room:<i64>` or `chat:<1-64 id characters>`.
    fn try_from(text: String) -> Result<Topic, String> {
        match text.split_once(':') {
            Some(("room", id)) => id.parse().map(Topic::Room).map_err(|_| format!("bad room id in {text:?}")),
            Some(("chat", id)) if is_valid_client_id(id) => Ok(Topic::Chat(id.to_string())),
            _ => Err(format!("unknown topic {text:?}")),
        }
    }
}

/// How the author of a line in an instant chat is marked, so nobody can pass
/// as someone else. Member rooms have no marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorTag {
    /// The person who started the chat.
    Host,
    /// Joined with their Roomlink account; the name is their username.
    Account,
    /// Joined with a name only.
    Guest,
}

impl AuthorTag {
    /// The mark as shown next to a name.
    pub fn label(self) -> &'static str {
        match self {
            AuthorTag::Host => "host",
            AuthorTag::Account => "account",
            AuthorTag::Guest => "guest",
        }
    }
}

/// What a timeline line is: something said, or a system line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A message; `body` is its text.
    #[default]
    Text,
    /// The author joined (for a host: started the chat); `body` is empty.
    Joined,
    /// The author left; `body` is empty.
    Left,
    /// The author was removed from the room by `actor_name`; `body` is empty.
    Removed,
    /// The author was banned from the room by `actor_name`; `body` is empty.
    Banned,
    /// A change line: the message `target_id` now reads `body` (its author
    /// edited it). Not shown as a line of its own: a tab applies it to the
    /// message it changes (see [`ChatMessage::apply_change`]).
    Edit,
    /// A change line: the message `target_id` was deleted, by `actor_name`
    /// (shown only to those who moderate). Applied, not shown, like [`MessageKind::Edit`].
    Delete,
    /// The owner renamed the room; `body` is its new name.
    Renamed,
    /// A message that was deleted: no text, no file; `actor_name` is who
    /// deleted it (shown only to those who moderate). Shown as a small
    /// "message deleted" marker where the message was.
    Deleted,
    /// The author deleted their account, which closed this teacher space
    /// for the other person; `body` is empty.
    AccountDeleted,
}

impl MessageKind {
    /// The name stored in the database's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Joined => "joined",
            MessageKind::Left => "left",
            MessageKind::Removed => "removed",
            MessageKind::Banned => "banned",
            MessageKind::Edit => "edit",
            MessageKind::Delete => "delete",
            MessageKind::Deleted => "deleted",
            MessageKind::Renamed => "renamed",
            MessageKind::AccountDeleted => "account_deleted",
        }
    }

    /// The kind stored as `name` (anything unknown reads as text).
    pub fn from_name(name: &str) -> MessageKind {
        match name {
            "joined" => MessageKind::Joined,
            "left" => MessageKind::Left,
            "removed" => MessageKind::Removed,
            "banned" => MessageKind::Banned,
            "edit" => MessageKind::Edit,
            "delete" => MessageKind::Delete,
            "deleted" => MessageKind::Deleted,
            "renamed" => MessageKind::Renamed,
            "account_deleted" => MessageKind::AccountDeleted,
            _ => MessageKind::Text,
        }
    }

    /// True for the lines that change another message ([`MessageKind::Edit`],
    /// [`MessageKind::Delete`]) rather than show as lines of their own.
    pub fn is_change(self) -> bool {
        matches!(self, MessageKind::Edit | MessageKind::Delete)
    }
}

/// One line of a timeline, as stored (or, in an instant chat without
/// history, as kept in memory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Increasing id, unique within its topic; lines are shown in id order.
    pub id: i64,
    /// The room or chat it belongs to.
    pub topic: Topic,
    /// Sender: a user id in a room, a participant id in an instant chat.
    pub author_id: i64,
    /// Sender's name (username, or display name in an instant chat).
    pub author_name: String,
    /// Sender's mark in an instant chat; `None` in a member room.
    pub author_tag: Option<AuthorTag>,
    /// A message or a system line.
    #[serde(default)]
    pub kind: MessageKind,
    /// Id the sender's tab gave it (see [`crate::live::ClientEvent::Send`]).
    pub client_id: String,
    /// Text, trimmed, 1-4000 characters (empty for system lines and
    /// attachments).
    pub body: String,
    /// When the server accepted it, Unix ms.
    pub created_at: i64,
    /// Who removed or banned the author, for those lines; for a "joined"
    /// line, who made the invite link they came through (shown only to those
    /// who manage links, see [`ChatMessage::hide_moderation_details`]); `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// For a "joined" line: the invite link it came through (id, label ""
    /// when it has none), for those who manage links; `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_invite: Option<(i64, String)>,
    /// An image or voice message it carries (member rooms only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<super::attachments::Attachment>,
    /// For an edit or delete line ([`MessageKind::is_change`]): the id of
    /// the message it changes; `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<i64>,
    /// When the message was last edited, Unix ms; `None` if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
}

impl ChatMessage {
    /// Drops what only owners and moderators see: which invite link a
    /// "joined" line came through and who made it, and who deleted a
    /// message (Discord shows that only in its audit log).
    pub fn hide_moderation_details(&mut self) {
        if matches!(self.kind, MessageKind::Joined | MessageKind::Delete | MessageKind::Deleted) {
            self.actor_name = None;
            self.via_invite = None;
        }
    }

    /// Applies `change`, an edit or delete line, to this message when it is
    /// the one changed: an edit sets the text and when it was edited; a
    /// deletion leaves a [`MessageKind::Deleted`] marker without text or
    /// file. Applying the same change twice changes nothing more (a tab may
    /// get it live and again when it catches up). Returns whether it applied.
    pub fn apply_change(&mut self, change: &ChatMessage) -> bool {
        if change.target_id != Some(self.id) || self.kind == MessageKind::Deleted {
            return false;
        }
        match change.kind {
            MessageKind::Edit => {
                self.body = change.body.clone();
                self.edited_at = Some(change.created_at);
            }
            MessageKind::Delete => {
                self.kind = MessageKind::Deleted;
                self.body = String::new();
                self.attachment = None;
                self.edited_at = None;
                self.actor_name = change.actor_name.clone();
            }
            _ => return false,
        }
        true
    }
}

/// Someone who belongs to a room or chat, as its member list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// Author id: a user id in a room, a participant id in an instant chat.
    pub id: i64,
    /// Username or display name.
    pub name: String,
    /// Mark in an instant chat; `None` in a member room.
    pub tag: Option<AuthorTag>,
    /// Role and permissions in a member room; `None` in an instant chat.
    #[serde(default)]
    pub rights: Option<super::rooms::Rights>,
    /// When they were last online here, Unix ms; `None` if never seen or unknown.
    pub last_seen_at: Option<i64>,
}

/// Checks a message text and returns it trimmed: 1-4000 characters.
pub fn check_message_body(raw: &str) -> Result<String, Refusal> {
    let body = raw.trim();
    let len = body.chars().count();
    if len == 0 {
        return Err(Refusal::MessageEmpty);
    }
    if len > MESSAGE_MAX_CHARS {
        return Err(Refusal::MessageTooLong { max: MESSAGE_MAX_CHARS, len });
    }
    Ok(body.to_string())
}

/// True when `id` is a usable client message id: 1-64 bytes of `[A-Za-z0-9_-]`.
pub fn is_valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= CLIENT_ID_MAX_BYTES
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_bodies() {
        assert_eq!(check_message_body("  hi \n").as_deref(), Ok("hi"));
        assert!(check_message_body(" \n\t ").is_err());
        assert!(check_message_body(&"é".repeat(4000)).is_ok());
        let err = check_message_body(&"a".repeat(4001)).unwrap_err().to_string();
        assert!(err.contains("4001"), "{err}");
    }

    #[test]
    fn client_ids() {
        assert!(is_valid_client_id("a1-_Z"));
        assert!(!is_valid_client_id(""));
        assert!(!is_valid_client_id("a b"));
        assert!(!is_valid_client_id(&"a".repeat(65)));
    }
}
