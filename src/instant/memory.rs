//! Lines of instant chats that do not keep history: held in memory only,
//! never written to disk, and dropped when the chat is swept.
//!
//! Each chat keeps its newest [`INSTANT_CHAT_MEMORY_MESSAGES`] lines so that
//! a reconnecting or reloading participant misses nothing; a newcomer is
//! shown only lines from their own "joined" line on. Ids are
//! `max(previous + 1, now in µs)`: they only grow, even across a restart, so
//! a tab's `after_id` from before a restart never hides new lines.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use crate::{
    limits::INSTANT_CHAT_MEMORY_MESSAGES,
    live::{ChatMessage, MessageKind, Topic},
    store::ParticipantRow,
};

#[derive(Default)]
struct ChatLines {
    last_id: i64,
    lines: VecDeque<ChatMessage>,
}

/// The in-memory lines of every chat without history. Share as `Arc`.
#[derive(Default)]
pub struct MemoryLines {
    chats: Mutex<HashMap<String, ChatLines>>,
}

impl MemoryLines {
    /// Empty.
    pub fn new() -> MemoryLines {
        MemoryLines::default()
    }

    /// Appends a line by `author`; the same `(author, client_id)` again
    /// returns the first line with `false`, as the database would.
    pub fn append(
        &self,
        author: &ParticipantRow,
        kind: MessageKind,
        client_id: &str,
        body: &str,
        now_ms: i64,
    ) -> (ChatMessage, bool) {
        let mut chats = self.chats.lock().unwrap_or_else(|p| p.into_inner());
        let chat = chats.entry(author.chat_id.clone()).or_default();
        if let Some(seen) = chat.lines.iter().find(|l| l.author_id == author.id && l.client_id == client_id) {
            return (seen.clone(), false);
        }
        let id = (chat.last_id + 1).max(now_ms.saturating_mul(1000));
        chat.last_id = id;
        let line = ChatMessage {
            id,
            topic: Topic::Chat(author.chat_id.clone()),
            author_id: author.id,
            author_name: author.name.clone(),
            author_tag: Some(crate::store::tag_of(author.is_host, author.user_id)),
            kind,
            client_id: client_id.to_string(),
            body: body.to_string(),
            created_at: now_ms,
            attachment: None,
            actor_name: None,
            via_invite: None,
        };
        if chat.lines.len() == INSTANT_CHAT_MEMORY_MESSAGES {
            chat.lines.pop_front();
        }
        chat.lines.push_back(line.clone());
        (line, true)
    }

    /// Lines of `chat_id` with an id above `after_id`, oldest first.
    pub fn after(&self, chat_id: &str, after_id: i64) -> Vec<ChatMessage> {
        let chats = self.chats.lock().unwrap_or_else(|p| p.into_inner());
        chats
            .get(chat_id)
            .map(|c| c.lines.iter().filter(|l| l.id > after_id).cloned().collect())
            .unwrap_or_default()
    }

    /// Up to `limit` lines of `chat_id` with `from_id <= id < before_id`, oldest first.
    pub fn before(&self, chat_id: &str, from_id: i64, before_id: i64, limit: usize) -> Vec<ChatMessage> {
        let chats = self.chats.lock().unwrap_or_else(|p| p.into_inner());
        let Some(chat) = chats.get(chat_id) else { return Vec::new() };
        let mut page: Vec<ChatMessage> =
            chat.lines.iter().rev().filter(|l| l.id < before_id && l.id >= from_id).take(limit).cloned().collect();
        page.reverse();
        page
    }

    /// Forgets a chat's lines.
    pub fn forget(&self, chat_id: &str) {
        self.chats.lock().unwrap_or_else(|p| p.into_inner()).remove(chat_id);
    }

    /// Number of chats with lines in memory (for tests and metrics).
    pub fn chats(&self) -> usize {
        self.chats.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}
