//! Images and voice messages in member rooms.
//!
//! A member uploads a file with `POST /rooms/<room id>/attachments?client_id=<id>`
//! (the raw bytes as the body); the server works out what it is from its bytes
//! ([`inspect`]), checks it against the limits in [`crate::limits`], stores it
//! under `<data_dir>/uploads/` and posts it to the room as a message, in the
//! same id sequence as text, so catch-up after a reconnect covers it. The file
//! is served at `GET /attachments/<id>` to members of that room only
//! ([`http`]). In the browser, [`client`] uploads files and records voice
//! messages with `MediaRecorder`. At start-up, [`sweep`] removes files that
//! a crash left without an attachment row.

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
    /// Id; the file is at [`Attachment::url`].
    pub id: i64,
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

impl Attachment {
    /// Where the file is served (members of its room only).
    pub fn url(&self) -> String {
        format!("/attachments/{}", self.id)
    }
}

/// Where a member uploads a file to a room: `POST` the bytes here, with
/// `?client_id=<id>` (see [`crate::live::ClientEvent::Send`]).
pub fn upload_url(room_id: i64, client_id: &str) -> String {
    format!("/rooms/{room_id}/attachments?client_id={client_id}")
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
