//! How lines travel in PostgreSQL notifications, whose payloads must stay
//! under 8,000 bytes (<https://www.postgresql.org/docs/current/sql-notify.html>).
//!
//! A line's notification is `<id> <rest>`: the line's id in decimal, a
//! space, then either its [`LineNote`] as JSON (starting with `{`) or, when
//! that JSON is longer than [`BUS_NOTE_MAX_BYTES`], one part of it,
//! `~<i>/<n> <piece>` (parts 1..=n, sent in order in one statement). The id
//! goes in front rather than inside the JSON so that PostgreSQL can put it
//! there when it hands the id out in the same statement
//! ([`crate::store::node_bus::NodeBus::announce_new_lines`]). Every other
//! note is JSON starting with `{`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{limits::BUS_NOTE_MAX_BYTES, live::ChatMessage};

/// Room for the id and the part header in front of each piece.
const HEADER_ROOM: usize = 40;
/// Parts of unfinished lines kept at most (older ones are dropped).
const PENDING_MAX: usize = 256;

/// A new line as nodes get it. Its id is the one in front of the payload;
/// `message.id` in the JSON is not read (0 when PostgreSQL hands the id out).
#[derive(Debug, Deserialize)]
pub struct LineNote {
    /// The sending node's random id.
    pub node: u64,
    /// The line; its `topic` says where it goes.
    pub message: ChatMessage,
}

/// [`LineNote`] as it is written.
#[derive(Serialize)]
struct LineNoteOut<'a> {
    node: u64,
    message: &'a ChatMessage,
}

/// A stored line announced by id only (its JSON is longer than
/// [`crate::limits::BUS_LINE_INLINE_MAX_BYTES`]): nodes read it from the
/// tables. Written as `=` and this as JSON, after the id.
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredNote {
    /// The sending node's random id.
    pub node: u64,
    /// Where the line is: which table and which room or chat.
    pub topic: crate::live::Topic,
}

/// The payload announcing a stored line of `topic` from `node` by id (put
/// the id in front with [`with_id`]). Errors: it could not be encoded.
pub fn stored_note(node: u64, topic: &crate::live::Topic) -> Result<String, serde_json::Error> {
    Ok(format!("={}", serde_json::to_string(&StoredNote { node, topic: topic.clone() })?))
}

/// The payloads announcing `message` from `node`, without the id in front
/// (see [`with_id`]). Errors: the line could not be encoded.
pub fn line_pieces(node: u64, message: &ChatMessage) -> Result<Vec<String>, serde_json::Error> {
    let json = serde_json::to_string(&LineNoteOut { node, message })?;
    if json.len() <= BUS_NOTE_MAX_BYTES {
        return Ok(vec![json]);
    }
    let pieces = split_at_chars(&json, BUS_NOTE_MAX_BYTES - HEADER_ROOM);
    let n = pieces.len();
    Ok(pieces.iter().enumerate().map(|(i, piece)| format!("~{}/{n} {piece}", i + 1)).collect())
}

/// `pieces` with `id` in front: what [`Payload::read`] reads back.
pub fn with_id(id: i64, pieces: &[String]) -> Vec<String> {
    pieces.iter().map(|piece| format!("{id} {piece}")).collect()
}

/// Splits `text` into pieces of at most `max` bytes, on character boundaries.
fn split_at_chars(text: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(max);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (piece, tail) = rest.split_at(end);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// What one notification carries.
#[derive(Debug, PartialEq)]
pub enum Payload<'a> {
    /// A line, whole: its id and its [`LineNote`] JSON.
    Line(i64, String),
    /// A stored line announced by id: the id and its [`StoredNote`] JSON.
    Stored(i64, &'a str),
    /// A part of a line not yet whole; nothing to do yet.
    Part,
    /// Any other note's JSON.
    Note(&'a str),
    /// Not in this format.
    Unreadable,
}

/// Puts lines sent in parts back together. Parts of one line arrive
/// together, in order (they are sent in one statement), but a dropped
/// connection can cut a line short: [`Reassembly::clear`] then.
#[derive(Default)]
pub struct Reassembly {
    pending: HashMap<i64, Vec<String>>,
}

impl Reassembly {
    /// Reads one notification's payload.
    pub fn read<'a>(&mut self, payload: &'a str) -> Payload<'a> {
        if payload.starts_with('{') {
            return Payload::Note(payload);
        }
        let Some((id, rest)) = payload.split_once(' ') else { return Payload::Unreadable };
        let Ok(id) = id.parse::<i64>() else { return Payload::Unreadable };
        if rest.starts_with('{') {
            return Payload::Line(id, rest.to_string());
        }
        if let Some(note) = rest.strip_prefix('=') {
            return Payload::Stored(id, note);
        }
        let Some((header, piece)) = rest.strip_prefix('~').and_then(|r| r.split_once(' ')) else { return Payload::Unreadable };
        let Some((Ok(i), Ok(n))) = header.split_once('/').map(|(i, n)| (i.parse::<usize>(), n.parse::<usize>())) else {
            return Payload::Unreadable;
        };
        if self.pending.len() >= PENDING_MAX && !self.pending.contains_key(&id) {
            self.pending.clear();
        }
        let parts = self.pending.entry(id).or_default();
        if parts.len() + 1 != i {
            // A part went missing (the connection dropped): the line is lost here.
            self.pending.remove(&id);
            return Payload::Unreadable;
        }
        parts.push(piece.to_string());
        if i < n {
            return Payload::Part;
        }
        let parts = self.pending.remove(&id).unwrap_or_default();
        Payload::Line(id, parts.concat())
    }

    /// Forgets unfinished lines (after the listening connection dropped).
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{MessageKind, Topic};

    #[test]
    fn a_stored_line_by_id_reads_back_with_its_topic() {
        let payloads = with_id(42, &[stored_note(7, &Topic::Room(3)).unwrap()]);
        let mut reassembly = Reassembly::default();
        let Payload::Stored(id, json) = reassembly.read(&payloads[0]) else { panic!("{payloads:?}") };
        let note: StoredNote = serde_json::from_str(json).unwrap();
        assert_eq!((id, note.node, note.topic), (42, 7, Topic::Room(3)));
    }

    fn line(body: &str) -> ChatMessage {
        ChatMessage {
            id: 0,
            topic: Topic::Chat("abcdefghijklmnop".into()),
            author_id: 3,
            author_name: "Ana".into(),
            author_tag: None,
            kind: MessageKind::Text,
            client_id: "c-1".into(),
            body: body.into(),
            created_at: 1_700_000_000_000,
            actor_name: None,
            via_invite: None,
            attachment: None,
            target_id: None,
            edited_at: None,
        }
    }

    fn read_back(pieces: &[String], id: i64) -> LineNote {
        let mut reassembly = Reassembly::default();
        let payloads = with_id(id, pieces);
        for payload in &payloads[..payloads.len() - 1] {
            assert!(payload.len() <= BUS_NOTE_MAX_BYTES);
            assert_eq!(reassembly.read(payload), Payload::Part);
        }
        let Payload::Line(read_id, json) = reassembly.read(payloads.last().unwrap()) else { panic!("not a line") };
        assert_eq!(read_id, id);
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn a_short_line_is_one_payload_with_its_id_in_front() {
        let pieces = line_pieces(9, &line("olá")).unwrap();
        assert_eq!(pieces.len(), 1);
        assert!(pieces[0].starts_with('{'));
        let back = read_back(&pieces, 123);
        assert_eq!((back.node, back.message.body.as_str()), (9, "olá"));
    }

    #[test]
    fn the_longest_line_in_any_script_travels_in_parts_and_comes_back_whole() {
        // 4,000 characters of 4-byte emoji and of quotes escaped to 2 bytes.
        for body in ["😀".repeat(4_000), "\"".repeat(4_000), "\u{1}".repeat(4_000)] {
            let pieces = line_pieces(9, &line(&body)).unwrap();
            assert!(pieces.len() > 1, "{} bytes", body.len());
            let back = read_back(&pieces, 5);
            assert_eq!(back.message.body, body);
        }
    }

    #[test]
    fn a_line_cut_short_is_dropped_and_the_next_reads_whole() {
        let mut reassembly = Reassembly::default();
        let long = with_id(8, &line_pieces(9, &line(&"é".repeat(4_000))).unwrap());
        assert_eq!(reassembly.read(&long[0]), Payload::Part);
        // Its second part never comes; a later line with the same parts skipped is refused.
        let next = with_id(9, &line_pieces(9, &line(&"é".repeat(4_000))).unwrap());
        assert_eq!(reassembly.read(&next[1]), Payload::Unreadable);
        reassembly.clear();
        for payload in &next[..next.len() - 1] {
            assert_eq!(reassembly.read(payload), Payload::Part);
        }
        assert!(matches!(reassembly.read(next.last().unwrap()), Payload::Line(9, _)));
        assert_eq!(reassembly.read(r#"{"node":1,"t":"heartbeat"}"#), Payload::Note(r#"{"node":1,"t":"heartbeat"}"#));
        assert_eq!(reassembly.read("garbage"), Payload::Unreadable);
    }
}
