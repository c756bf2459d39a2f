//! Instant chats: anyone starts one, shares `/instant-chat/<id>`, and whoever
//! opens the link picks a display name and talks, no account needed. A chat
//! ends when its host ends it or after `instant_chat_hours` (24 by default),
//! and is then deleted by the sweeper ([`ssr::start_sweeper`]).
//!
//! Specified by issue 4 and, for the flow, by the instant chat seed document
//! (Express + Socket.IO): a 12+ character nanoid, optional history, host-only end.
//!
//! - Identity: a signed cookie per chat ([`identity`]); logged-in people join
//!   under their account name. Lines carry the author's mark (host, account,
//!   guest: [`crate::live::AuthorTag`]) so nobody passes as someone else.
//! - History on: lines are stored. History off: lines live in memory only
//!   ([`memory`]) and a newcomer sees only what is said after they join.
//! - Reading the page (GET) changes nothing; starting, joining, leaving and
//!   ending are POSTs ([`api`]); so are the host's removing someone and
//!   locking the chat ([`moderation`]).
//! - Images and voice messages: on disk with history, in memory without
//!   ([`files`]), and deleted with the chat either way.

pub mod api;
#[cfg(feature = "ssr")]
pub mod files;
pub mod moderation;
#[cfg(feature = "ssr")]
pub mod qr;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

use crate::{
    error::{Field, Refusal},
    limits::{DISPLAY_NAME_MAX_CHARS, INSTANT_CHAT_ID_CHARS, INSTANT_CHAT_TITLE_MAX_CHARS},
    live::{AuthorTag, ChatMessage, MemberView},
};

/// The path of a chat's page.
pub fn chat_path(id: &str) -> String {
    format!("/instant-chat/{id}")
}

/// What the chat page shows about a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstantChatInfo {
    /// The chat's id.
    pub id: String,
    /// Title; empty when none was given.
    pub title: String,
    /// The host's display name.
    pub host_name: String,
    /// People in it now.
    pub participants: i64,
    /// Most people it holds.
    pub max_participants: u32,
    /// When it ends by itself, Unix ms.
    pub ends_at_ms: i64,
    /// True when lines are stored and newcomers see earlier ones.
    pub keep_history: bool,
    /// The full link to share, `http(s)://<host>/instant-chat/<id>`.
    pub url: String,
    /// True while the host keeps newcomers out.
    pub locked: bool,
}

/// A participant as the page knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Participant id (the author id of their lines).
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Host, account or guest.
    pub tag: AuthorTag,
}

/// Everything the chat page needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstantChatPage {
    /// The chat.
    pub chat: InstantChatInfo,
    /// Who is looking, if they are in the chat.
    pub me: Option<Participant>,
    /// The viewer's username when logged in (they join under it).
    pub account_name: Option<String>,
    /// Lines the viewer may see, oldest first (empty until they join).
    pub lines: Vec<ChatMessage>,
    /// The people in the chat (empty until the viewer joins).
    pub members: Vec<MemberView>,
}

/// True when `id` looks like a chat id: exactly 16 characters of nanoid's
/// alphabet `[A-Za-z0-9_-]`.
pub fn is_valid_chat_id(id: &str) -> bool {
    id.len() == INSTANT_CHAT_ID_CHARS && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a display name and returns it trimmed: 1-32 characters, nothing
/// invisible or direction-changing (see [`crate::names::visible`]). Errors: a [`Refusal`] saying what to change.
pub fn check_display_name(raw: &str) -> Result<String, Refusal> {
    let name = crate::names::visible(raw, Field::DisplayName)?;
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 {
        return Err(Refusal::DisplayNameEmpty);
    }
    if len > DISPLAY_NAME_MAX_CHARS {
        return Err(Refusal::TooLong { field: Field::DisplayName, max: DISPLAY_NAME_MAX_CHARS, len });
    }
    Ok(name.to_string())
}

/// Checks a chat title and returns it trimmed: 0-80 characters, nothing
/// invisible (see [`crate::names::visible`]). Errors: a [`Refusal`] saying what to change.
pub fn check_title(raw: &str) -> Result<String, Refusal> {
    let title = crate::names::visible(raw, Field::ChatTitle)?;
    let title = title.trim();
    let len = title.chars().count();
    if len > INSTANT_CHAT_TITLE_MAX_CHARS {
        return Err(Refusal::TooLong { field: Field::ChatTitle, max: INSTANT_CHAT_TITLE_MAX_CHARS, len });
    }
    Ok(title.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names() {
        assert_eq!(check_display_name("  Ana Maria ").as_deref(), Ok("Ana Maria"));
        assert_eq!(check_display_name(&"ß".repeat(32)).map(|n| n.chars().count()), Ok(32));
        assert!(check_display_name("   ").unwrap_err().to_string().contains("Type a name"));
        assert!(check_display_name(&"a".repeat(33)).unwrap_err().to_string().contains("33"));
        assert!(check_display_name("Ana\nBob").unwrap_err().to_string().contains("control"));
        assert!(check_display_name("Ana\u{7}").is_err());
    }

    #[test]
    fn titles_may_be_empty() {
        assert_eq!(check_title("  ").as_deref(), Ok(""));
        assert!(check_title(&"t".repeat(81)).is_err());
        assert!(check_title("a\tb").is_err());
    }

    #[test]
    fn chat_ids() {
        assert!(is_valid_chat_id("abcDEF0123_-xyzQ"));
        assert!(!is_valid_chat_id("abcDEF0123_-xyz"));
        assert!(!is_valid_chat_id("abcDEF0123_-xyz!"));
        assert!(!is_valid_chat_id("../../etc/passwd"));
    }
}
