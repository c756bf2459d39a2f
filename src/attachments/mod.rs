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

pub use crate::types::attachments::{chat_file_url, room_file_url, upload_url, Attachment, AttachmentKind};

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
