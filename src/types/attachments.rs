//! Attachments' shared types: what a timeline shows of an image or voice
//! message, and where its file is served and uploaded.

use serde::{Deserialize, Serialize};

use super::timeline::Topic;

/// What an attachment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// A PNG, JPEG, WebP or GIF image, shown inline.
    Image,
    /// Recorded or uploaded audio (WebM, Ogg or MP4), shown with a player.
    Voice,
}

impl AttachmentKind {
    /// The name stored in the database's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Image => "image",
            AttachmentKind::Voice => "voice",
        }
    }

    /// The kind stored as `name` (anything unknown reads as an image).
    pub fn from_name(name: &str) -> AttachmentKind {
        match name {
            "voice" => AttachmentKind::Voice,
            _ => AttachmentKind::Image,
        }
    }
}

/// A file attached to a message, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Id, unique within its room or instant chat.
    pub id: i64,
    /// Where the file is served, to members of its room or participants of
    /// its chat only: [`room_file_url`] or [`chat_file_url`].
    pub url: String,
    /// Image or voice message.
    pub kind: AttachmentKind,
    /// The type found in the file's bytes, e.g. `image/png` or `audio/webm`.
    pub content_type: String,
    /// Size of the file, in bytes.
    pub size_bytes: i64,
    /// Images: width in pixels (the page reserves the space before loading).
    pub width: Option<u32>,
    /// Images: height in pixels.
    pub height: Option<u32>,
    /// Voice messages: length in milliseconds, as measured by the server.
    pub duration_ms: Option<u32>,
}

/// Where attachment `id` of a member room is served.
pub fn room_file_url(id: i64) -> String {
    format!("/attachments/{id}")
}

/// Where attachment `id` of instant chat `chat_id` is served.
pub fn chat_file_url(chat_id: &str, id: i64) -> String {
    format!("/instant-chat/{chat_id}/attachments/{id}")
}

/// Where a file is uploaded to a room or instant chat: `POST` the bytes
/// here, with `?client_id=<id>` (see [`crate::live::ClientEvent::Send`]).
pub fn upload_url(topic: &Topic, client_id: &str) -> String {
    match topic {
        Topic::Room(room_id) => format!("/rooms/{room_id}/attachments?client_id={client_id}"),
        Topic::Chat(chat_id) => format!("/instant-chat/{chat_id}/attachments?client_id={client_id}"),
    }
}
