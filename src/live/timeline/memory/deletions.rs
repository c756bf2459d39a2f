//! Deleting a held line (issue 40): an instant chat without history keeps
//! its lines only here, so its deletions are applied here too, by the
//! delete line's arrival ([`super::held::ChatLines::push`]) on this node
//! and on every other that the bus brings it to.

use super::{next_id, seen_by, ChatLines, MemoryLines};
use crate::{
    live::{ChatMessage, MessageKind},
    store::{ParticipantRow, WriteRefusal},
};

impl MemoryLines {
    /// Deletes line `target_id` of `actor`'s chat for `actor`: the line
    /// becomes a [`MessageKind::Deleted`] marker without text or file, and a
    /// delete line naming it, by the line's author, is appended with id
    /// `id` (as for [`MemoryLines::append`]). The same `(line's author,
    /// client_id)` again returns the first delete line with `false`.
    ///
    /// Errors: [`WriteRefusal::MessageGone`] (not held, or deleted already),
    /// [`WriteRefusal::NothingToEdit`] (a system line),
    /// [`WriteRefusal::NotYourMessage`] (another's line, and `actor` is not
    /// the host); nothing changes. Whether `actor` is still in the chat is
    /// the caller's to read.
    pub fn delete(
        &self,
        actor: &ParticipantRow,
        target_id: i64,
        client_id: &str,
        now_ms: i64,
        id: i64,
    ) -> Result<(ChatMessage, bool), WriteRefusal> {
        let mut held = self.held();
        let chat = held.chats.entry(actor.chat_id.clone()).or_default();
        let line = match deletion(chat, actor, target_id, client_id, now_ms)? {
            Ok(line) => line,
            Err(seen) => return Ok((seen, false)),
        };
        let line = ChatMessage { id: next_id(chat, id, now_ms), ..line };
        held.push(&actor.chat_id, line.clone(), self.lines_cap);
        Ok((line, true))
    }

    /// The delete line [`MemoryLines::delete`] would append, not kept yet
    /// and without an id, for the bus to announce and number (kept on every
    /// node by [`MemoryLines::replicate`], which applies it); `Ok(Err)` with
    /// the line the same `(line's author, client_id)` already gave.
    /// Errors: as [`MemoryLines::delete`]'s.
    pub fn draft_delete(
        &self,
        actor: &ParticipantRow,
        target_id: i64,
        client_id: &str,
        now_ms: i64,
    ) -> Result<Result<ChatMessage, ChatMessage>, WriteRefusal> {
        match self.held().chats.get(&actor.chat_id) {
            Some(chat) => deletion(chat, actor, target_id, client_id, now_ms),
            None => Err(WriteRefusal::MessageGone),
        }
    }

}

/// The delete line (id 0) by which `actor` deletes line `target_id` of
/// `chat`, after the rules of [`MemoryLines::delete`]; `Ok(Err)` with the
/// one `(line's author, client_id)` gave before.
fn deletion(
    chat: &ChatLines,
    actor: &ParticipantRow,
    target_id: i64,
    client_id: &str,
    now_ms: i64,
) -> Result<Result<ChatMessage, ChatMessage>, WriteRefusal> {
    let at = chat.lines.binary_search_by_key(&target_id, |l| l.message.id).map_err(|_| WriteRefusal::MessageGone)?;
    let target = &chat.lines[at].message;
    if let Some(earlier) = seen_by(chat, target.author_id, client_id) {
        return Ok(Err(earlier));
    }
    match target.kind {
        MessageKind::Text => {}
        MessageKind::Deleted => return Err(WriteRefusal::MessageGone),
        _ => return Err(WriteRefusal::NothingToEdit),
    }
    if target.author_id != actor.id && !actor.is_host {
        return Err(WriteRefusal::NotYourMessage);
    }
    Ok(Ok(ChatMessage {
        id: 0,
        kind: MessageKind::Delete,
        client_id: client_id.to_string(),
        body: String::new(),
        created_at: now_ms,
        attachment: None,
        target_id: Some(target_id),
        edited_at: None,
        ..target.clone()
    }))
}

