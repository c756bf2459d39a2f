//! Lines and files of instant chats that do not keep history: held in
//! memory only, never written to disk, and dropped when the chat is swept.
//!
//! Each chat keeps its newest [`crate::limits::INSTANT_CHAT_MEMORY_MESSAGES`] lines so that
//! a reconnecting or reloading participant misses nothing; a newcomer is
//! shown only lines from their own "joined" line on. Ids are
//! `max(previous + 1, now in µs)`: they only grow, even across a restart, so
//! a tab's `after_id` from before a restart never hides new lines.
//!
//! Files (images, voice messages) are kept with their line, under the
//! line's id, up to [`INSTANT_MEMORY_FILES_PER_CHAT_BYTES`] per chat: a new
//! file past that drops the chat's oldest files (their lines stay). All
//! chats together hold at most [`INSTANT_MEMORY_FILES_TOTAL_BYTES`]; past
//! that a new file is refused ([`MemoryFull`]) rather than taken from
//! another chat. A line that leaves the newest-lines window takes its file with it.
//!
//! Lines of all chats together are held up to
//! [`INSTANT_MEMORY_LINES_TOTAL_BYTES`] (each line counted as its text, its
//! author's name and [`HELD_LINE_OVERHEAD_BYTES`]): past that, the largest
//! chat gives up its oldest lines first, down to half its size, so one busy
//! chat cannot push the quiet ones out. Once nine tenths of that is held,
//! [`MemoryLines::is_full`] says so and no new chat without history starts.

mod deletions;
mod held;

use std::sync::{Arc, Mutex};

use axum::{body::Bytes, extract::ws::Utf8Bytes};

use held::{ChatLines, Held, HeldLine};
pub use held::HELD_LINE_OVERHEAD_BYTES;

use crate::{
    types::attachments::{chat_file_url, Attachment, AttachmentKind},
    limits::{
        INSTANT_MEMORY_FILES_PER_CHAT_BYTES, INSTANT_MEMORY_FILES_TOTAL_BYTES,
        INSTANT_MEMORY_LINES_TOTAL_BYTES,
    },
    live::{ChatMessage, MessageKind, Topic},
    store::ParticipantRow,
};

/// A file checked by [`crate::attachments::inspect`], to be kept in memory.
#[derive(Debug, Clone)]
pub struct MemoryUpload {
    /// Image or voice message.
    pub kind: AttachmentKind,
    /// The sniffed type it is served with.
    pub content_type: &'static str,
    /// Images: width and height in pixels.
    pub dimensions: Option<(u32, u32)>,
    /// Voice messages: length in milliseconds.
    pub duration_ms: Option<u32>,
    /// The file.
    pub bytes: Bytes,
}

/// A file kept in memory: its type and bytes.
#[derive(Debug, Clone)]
pub struct MemoryFile {
    /// The type to serve it with.
    pub content_type: &'static str,
    /// The file (cheap to clone: shared).
    pub bytes: Bytes,
}

/// The server holds all the in-memory files it may: the upload is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryFull;

/// The in-memory lines and files of every chat without history. Share as `Arc`.
pub struct MemoryLines {
    held: Mutex<Held>,
    per_chat_cap: usize,
    total_cap: usize,
    /// [`INSTANT_MEMORY_LINES_TOTAL_BYTES`], or a test's.
    lines_cap: usize,
}

impl Default for MemoryLines {
    fn default() -> Self {
        MemoryLines::with_caps(INSTANT_MEMORY_FILES_PER_CHAT_BYTES, INSTANT_MEMORY_FILES_TOTAL_BYTES)
    }
}

impl MemoryLines {
    /// Empty, with the file caps of [`crate::limits`].
    pub fn new() -> MemoryLines {
        MemoryLines::default()
    }

    /// Empty, holding at most `per_chat_cap` bytes of files per chat and
    /// `total_cap` in all.
    pub fn with_caps(per_chat_cap: usize, total_cap: usize) -> MemoryLines {
        MemoryLines { held: Mutex::new(Held::default()), per_chat_cap, total_cap, lines_cap: INSTANT_MEMORY_LINES_TOTAL_BYTES }
    }

    /// Empty, with the file caps of [`crate::limits`] and at most
    /// `lines_cap` bytes of lines in all (see [`held::held_bytes`]).
    pub fn with_lines_cap(lines_cap: usize) -> MemoryLines {
        MemoryLines { lines_cap, ..MemoryLines::default() }
    }

    /// True when the lines held take nine tenths of their cap or more: no
    /// new chat without history should start (its host is told to start
    /// one with history, or to try later).
    pub fn is_full(&self) -> bool {
        self.held().line_bytes >= self.lines_cap / 10 * 9
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a line by `author`; the same `(author, client_id)` again
    /// returns the first line with `false`, as the database would. Its id is
    /// `id` when not 0 (handed out by PostgreSQL, with several nodes), else
    /// the chat's next.
    pub fn append(
        &self,
        author: &ParticipantRow,
        kind: MessageKind,
        client_id: &str,
        body: &str,
        now_ms: i64,
        id: i64,
    ) -> (ChatMessage, bool) {
        let mut held = self.held();
        let chat = held.chats.entry(author.chat_id.clone()).or_default();
        if let Some(seen) = seen(chat, author, client_id) {
            return (seen, false);
        }
        let line = new_line(chat, author, kind, client_id, body, now_ms, id);
        held.push(&author.chat_id, line.clone(), self.lines_cap);
        (line, true)
    }

    /// Appends a line by `author` carrying `file`, kept under the line's id.
    /// The same `(author, client_id)` again returns the first line with
    /// `false` and keeps nothing. Drops the chat's oldest files to stay
    /// within the per-chat cap. `id` as for [`MemoryLines::append`].
    ///
    /// Errors: [`MemoryFull`] when the file would take every chat's files
    /// past the total cap (or is bigger than one chat may hold); nothing changes.
    pub fn append_file(
        &self,
        author: &ParticipantRow,
        client_id: &str,
        file: MemoryUpload,
        now_ms: i64,
        id: i64,
    ) -> Result<(ChatMessage, bool), MemoryFull> {
        let size = file.bytes.len();
        let mut held = self.held();
        let total = held.file_bytes;
        let chat = held.chats.entry(author.chat_id.clone()).or_default();
        if let Some(seen) = seen(chat, author, client_id) {
            return Ok((seen, false));
        }
        // What the chat must drop to stay within its cap, oldest first.
        let mut to_drop = Vec::new();
        let mut kept = chat.file_bytes;
        for (id, f) in &chat.files {
            if kept + size <= self.per_chat_cap {
                break;
            }
            kept -= f.bytes.len();
            to_drop.push(*id);
        }
        let dropped = chat.file_bytes - kept;
        if kept + size > self.per_chat_cap || total - dropped + size > self.total_cap {
            return Err(MemoryFull);
        }
        let freed: usize = to_drop.into_iter().map(|id| chat.drop_file(id)).sum();
        let mut line = new_line(chat, author, MessageKind::Text, client_id, "", now_ms, id);
        line.attachment = Some(Attachment {
            id: line.id,
            url: chat_file_url(&author.chat_id, line.id),
            kind: file.kind,
            content_type: file.content_type.to_string(),
            size_bytes: size as i64,
            width: file.dimensions.map(|d| d.0),
            height: file.dimensions.map(|d| d.1),
            duration_ms: file.duration_ms,
        });
        chat.files.insert(line.id, MemoryFile { content_type: file.content_type, bytes: file.bytes });
        chat.file_bytes += size;
        held.file_bytes = held.file_bytes + size - freed;
        held.push(&author.chat_id, line.clone(), self.lines_cap);
        Ok((line, true))
    }

    /// The file kept under line `id` of `chat_id`, if it is still held.
    pub fn file(&self, chat_id: &str, id: i64) -> Option<MemoryFile> {
        self.held().chats.get(chat_id)?.files.get(&id).cloned()
    }

    /// Bytes of files held for all chats (for tests and metrics).
    pub fn file_bytes(&self) -> usize {
        self.held().file_bytes
    }

    /// Lines of `chat_id` with an id above `after_id`, oldest first.
    pub fn after(&self, chat_id: &str, after_id: i64) -> Vec<ChatMessage> {
        self.held().chats.get(chat_id).map(|c| c.after(after_id).map(|l| l.message.clone()).collect()).unwrap_or_default()
    }

    /// Up to `limit` lines of every chat with an id above `after_id`,
    /// oldest first: what another node that missed them asks for
    /// ([`crate::live::bus`]; with several nodes, ids come from one
    /// PostgreSQL sequence, so they order lines across chats). The newest
    /// `limit` when there are more.
    pub fn all_after(&self, after_id: i64, limit: usize) -> Vec<ChatMessage> {
        let mut lines: Vec<ChatMessage> =
            self.held().chats.values().flat_map(|c| c.after(after_id).map(|l| l.message.clone())).collect();
        lines.sort_unstable_by_key(|l| l.id);
        let skip = lines.len().saturating_sub(limit);
        lines.split_off(skip)
    }

    /// Up to `limit` lines of `chat_id` with an id above `after_id`, oldest
    /// first, as `(id, live frame)`: each line is encoded once, the first
    /// time a tab catches up on it, outside the lock.
    pub fn frames_after(&self, chat_id: &str, after_id: i64, limit: usize) -> Vec<(i64, Utf8Bytes)> {
        let lines: Vec<Arc<HeldLine>> =
            self.held().chats.get(chat_id).map(|c| c.after(after_id).take(limit).cloned().collect()).unwrap_or_default();
        lines.iter().map(|l| (l.message.id, l.frame())).collect()
    }

    /// Up to `limit` lines of `chat_id` with `from_id <= id < before_id` as
    /// they are now (no delete lines), oldest first.
    pub fn before(&self, chat_id: &str, from_id: i64, before_id: i64, limit: usize) -> Vec<ChatMessage> {
        let held = self.held();
        let Some(chat) = held.chats.get(chat_id) else { return Vec::new() };
        let mut page: Vec<ChatMessage> = chat
            .lines
            .iter()
            .rev()
            .map(|l| &l.message)
            .filter(|l| l.id < before_id && l.id >= from_id && !l.kind.is_change())
            .take(limit)
            .cloned()
            .collect();
        page.reverse();
        page
    }

    /// Forgets a chat's lines and files.
    pub fn forget(&self, chat_id: &str) {
        let mut held = self.held();
        if let Some(chat) = held.chats.remove(chat_id) {
            held.file_bytes -= chat.file_bytes;
            held.line_bytes -= chat.line_bytes;
        }
    }

    /// A new line by `author`, not kept yet and without an id, for the bus
    /// to announce and number (see [`crate::live::hub::Hub::announce_unstored`]);
    /// or `Err` with the line the same `(author, client_id)` already gave.
    pub fn draft(&self, author: &ParticipantRow, kind: MessageKind, client_id: &str, body: &str, now_ms: i64) -> Result<ChatMessage, ChatMessage> {
        match self.held().chats.get(&author.chat_id).and_then(|chat| seen(chat, author, client_id)) {
            Some(seen) => Err(seen),
            None => Ok(line_by(author, kind, client_id, body, now_ms, 0)),
        }
    }

    /// Keeps a line numbered elsewhere (by PostgreSQL, when several nodes
    /// share the chat), this node's or another's, in id order, so tabs here
    /// catch up on it. Another node's file stays on that node. A line
    /// already held is ignored.
    pub fn replicate(&self, chat_id: &str, line: ChatMessage) {
        let mut held = self.held();
        let chat = held.chats.entry(chat_id.to_string()).or_default();
        let at = chat.lines.partition_point(|l| l.message.id < line.id);
        if chat.lines.get(at).is_some_and(|l| l.message.id == line.id) {
            return;
        }
        chat.last_id = chat.last_id.max(line.id);
        held.push(chat_id, line, self.lines_cap);
    }

    /// Number of chats with lines in memory (for tests and metrics).
    pub fn chats(&self) -> usize {
        self.held().chats.len()
    }
}

/// The line `(author, client_id)` names in `chat`, if any.
fn seen(chat: &ChatLines, author: &ParticipantRow, client_id: &str) -> Option<ChatMessage> {
    seen_by(chat, author.id, client_id)
}

/// The line `(author_id, client_id)` names in `chat`, if any.
fn seen_by(chat: &ChatLines, author_id: i64, client_id: &str) -> Option<ChatMessage> {
    chat.lines.iter().map(|l| &l.message).find(|l| l.author_id == author_id && l.client_id == client_id).cloned()
}

/// The id a new line of `chat` takes: `id` when not 0, else the chat's
/// next, `max(previous + 1, now in µs)`.
fn next_id(chat: &mut ChatLines, id: i64, now_ms: i64) -> i64 {
    let id = if id > 0 { id } else { (chat.last_id + 1).max(now_ms.saturating_mul(1000)) };
    chat.last_id = chat.last_id.max(id);
    id
}

/// A new line (not yet added) with id `id`, or when that is 0, the chat's
/// next: `max(previous + 1, now in µs)`.
fn new_line(
    chat: &mut ChatLines,
    author: &ParticipantRow,
    kind: MessageKind,
    client_id: &str,
    body: &str,
    now_ms: i64,
    id: i64,
) -> ChatMessage {
    let id = next_id(chat, id, now_ms);
    line_by(author, kind, client_id, body, now_ms, id)
}

/// The line `author` sends, with id `id`.
fn line_by(author: &ParticipantRow, kind: MessageKind, client_id: &str, body: &str, now_ms: i64, id: i64) -> ChatMessage {
    ChatMessage {
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
        target_id: None,
        edited_at: None,
    }
}

#[cfg(test)]
mod tests;
