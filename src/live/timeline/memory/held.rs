//! How the lines and files of one chat without history are held (the
//! newest-lines window, files by line id) and what they count as against
//! the caps of [`super::MemoryLines`].

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::{Arc, OnceLock},
};

use axum::extract::ws::Utf8Bytes;

use super::MemoryFile;
use crate::{
    limits::INSTANT_CHAT_MEMORY_MESSAGES,
    live::{hub::encode, ChatMessage, MessageKind, ServerEvent},
};

/// What a held line costs beyond its text and author name, in bytes, as the
/// lines cap counts it: the line's other fields, its `Arc`, its place in the
/// queue and, once a tab caught up on it, its encoded frame's envelope.
pub const HELD_LINE_OVERHEAD_BYTES: usize = 256;

/// What holding `line` counts as against the lines cap.
pub(super) fn held_bytes(line: &ChatMessage) -> usize {
    line.body.len() + line.author_name.len() + HELD_LINE_OVERHEAD_BYTES
}

/// A line held in memory, with its live frame (a [`ServerEvent::Message`])
/// once a tab's catch-up needed it: encoded once, then shared by every tab
/// that catches up (a room of 100 opening at once sends each line up to 100
/// times; issue 6, S1).
pub(super) struct HeldLine {
    pub(super) message: ChatMessage,
    frame: OnceLock<Utf8Bytes>,
}

impl HeldLine {
    pub(super) fn new(message: ChatMessage) -> Arc<HeldLine> {
        Arc::new(HeldLine { message, frame: OnceLock::new() })
    }

    pub(super) fn frame(&self) -> Utf8Bytes {
        self.frame.get_or_init(|| encode(&ServerEvent::Message { message: self.message.clone() })).clone()
    }
}

#[derive(Default)]
pub(super) struct ChatLines {
    pub(super) last_id: i64,
    /// In ascending id order.
    pub(super) lines: VecDeque<Arc<HeldLine>>,
    /// Files by line id, oldest first.
    pub(super) files: BTreeMap<i64, MemoryFile>,
    pub(super) file_bytes: usize,
    /// What the lines count as against the lines cap ([`held_bytes`]).
    pub(super) line_bytes: usize,
}

impl ChatLines {
    /// Drops the file of line `id`, if it has one; returns the bytes freed.
    pub(super) fn drop_file(&mut self, id: i64) -> usize {
        let freed = self.files.remove(&id).map_or(0, |f| f.bytes.len());
        self.file_bytes -= freed;
        freed
    }

    /// Adds a line in id order (a line numbered by PostgreSQL may arrive
    /// after a higher one another node numbered), dropping the oldest (and
    /// its file) past the window; returns the bytes freed.
    /// A delete line ([`MessageKind::Delete`]) also turns the line it names
    /// into a deleted marker and drops its file ([`ChatLines::apply`]).
    pub(super) fn push(&mut self, line: ChatMessage) -> usize {
        let mut freed = 0;
        if self.lines.len() == INSTANT_CHAT_MEMORY_MESSAGES {
            freed = self.pop_oldest();
        }
        if line.kind.is_change() {
            freed += self.apply(&line);
        }
        self.line_bytes += held_bytes(&line);
        let at = self.lines.partition_point(|l| l.message.id < line.id);
        self.lines.insert(at, HeldLine::new(line));
        freed
    }

    /// Applies an edit or delete line to the held line it names, if still
    /// held: that line is replaced (its shared frame showed it as it was),
    /// and a deleted line's file dropped. Applying it again (a line that
    /// came back over the bus) changes nothing. Returns the file bytes freed.
    fn apply(&mut self, change: &ChatMessage) -> usize {
        let Some(target_id) = change.target_id else { return 0 };
        let Ok(at) = self.lines.binary_search_by_key(&target_id, |l| l.message.id) else { return 0 };
        let mut message = self.lines[at].message.clone();
        if !message.apply_change(change) {
            return 0;
        }
        self.line_bytes = self.line_bytes - held_bytes(&self.lines[at].message) + held_bytes(&message);
        self.lines[at] = HeldLine::new(message);
        if change.kind == MessageKind::Delete { self.drop_file(target_id) } else { 0 }
    }

    /// Drops the oldest line and its file; returns the file bytes freed.
    pub(super) fn pop_oldest(&mut self) -> usize {
        let Some(old) = self.lines.pop_front() else { return 0 };
        self.line_bytes -= held_bytes(&old.message);
        self.drop_file(old.message.id)
    }

    /// The lines with an id above `after_id`, oldest first.
    pub(super) fn after(&self, after_id: i64) -> impl Iterator<Item = &Arc<HeldLine>> {
        self.lines.range(self.lines.partition_point(|l| l.message.id <= after_id)..)
    }
}

#[derive(Default)]
pub(super) struct Held {
    pub(super) chats: HashMap<String, ChatLines>,
    pub(super) file_bytes: usize,
    /// Every chat's `line_bytes`, summed.
    pub(super) line_bytes: usize,
}

impl Held {
    /// Adds `line` to `chat_id`'s lines (see [`ChatLines::push`]), keeping
    /// the totals, then holds the lines cap ([`Held::trim_lines`]).
    pub(super) fn push(&mut self, chat_id: &str, line: ChatMessage, lines_cap: usize) {
        let chat = self.chats.entry(chat_id.to_string()).or_default();
        let before = chat.line_bytes;
        let freed = chat.push(line);
        let after = chat.line_bytes;
        self.file_bytes -= freed;
        self.line_bytes = self.line_bytes + after - before;
        self.trim_lines(lines_cap);
    }

    /// While the lines take more than `cap`, the largest chat (by what its
    /// lines count as; one scan of the chats, only when over the cap) drops
    /// its oldest lines, and their files, down to half its size.
    pub(super) fn trim_lines(&mut self, cap: usize) {
        while self.line_bytes > cap {
            let Some(largest) = self.chats.values_mut().filter(|c| !c.lines.is_empty()).max_by_key(|c| c.line_bytes) else {
                return;
            };
            let (before, target) = (largest.line_bytes, largest.line_bytes / 2);
            let mut freed_files = 0;
            while largest.line_bytes > target && !largest.lines.is_empty() {
                freed_files += largest.pop_oldest();
            }
            self.line_bytes -= before - largest.line_bytes;
            self.file_bytes -= freed_files;
        }
    }
}

