//! Images and voice messages in member rooms, teacher spaces and instant chats.
//!
//! A member uploads a file with `POST /rooms/<room id>/attachments?client_id=<id>`
//! (the raw bytes as the body); the server works out what it is from its bytes
//! ([`inspect`]), checks it against the limits in [`crate::limits`], stores it
//! under `<data_dir>/uploads/` and posts it to the room as a message, in the
//! same id sequence as text, so catch-up after a reconnect covers it. The file
//! is served at `GET /attachments/<id>` to members of that room only
//! ([`http`]). Instant chats take the same files from their participants,
//! guests included, at `/instant-chat/<id>/attachments`
//! ([`crate::instant::files`]). In the browser, [`client`] uploads files and
//! records voice messages with `MediaRecorder`. At start-up, [`sweep`]
//! removes files that a crash left without an attachment row.

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(all(test, feature = "ssr"))]
pub(crate) mod fixtures;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod inspect;
#[cfg(feature = "ssr")]
pub mod sweep;

use serde::{Deserialize, Serialize};

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
pub fn upload_url(topic: &crate::live::Topic, client_id: &str) -> String {
    match topic {
        crate::live::Topic::Room(room_id) => format!("/rooms/{room_id}/attachments?client_id={client_id}"),
        crate::live::Topic::Chat(chat_id) => format!("/instant-chat/{chat_id}/attachments?client_id={client_id}"),
    }
}

/// A length in milliseconds as players show it, in whole seconds rounded
/// down: `0:07`, `4:59`.
pub fn clock(ms: u32) -> String {
    let secs = ms / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// A size in bytes as people read it: `900 bytes`, `48 KB`, `5.2 MB` (powers of 1024).
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    match bytes {
        b if b < KIB => format!("{b} bytes"),
        b if b < KIB * KIB => format!("{} KB", b.div_ceil(KIB)),
        b => format!("{:.1} MB", b as f64 / (KIB * KIB) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_sizes() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(6_900), "0:06");
        assert_eq!(clock(300_000), "5:00");
        assert_eq!(human_size(900), "900 bytes");
        assert_eq!(human_size(48 * 1024), "48 KB");
        assert_eq!(human_size(5 * 1024 * 1024 + 200_000), "5.2 MB");
    }
}
