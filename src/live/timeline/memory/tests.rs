//! The caps, order, shared frames and deletions of [`super::MemoryLines`].

use super::*;
use crate::{limits::INSTANT_CHAT_MEMORY_MESSAGES, store::WriteRefusal};

fn someone(chat_id: &str, id: i64) -> ParticipantRow {
    ParticipantRow { id, chat_id: chat_id.into(), name: format!("p{id}"), is_host: false, user_id: None, first_seen_id: 0 }
}

fn upload(size: usize) -> MemoryUpload {
    MemoryUpload {
        kind: AttachmentKind::Image,
        content_type: "image/png",
        dimensions: Some((1, 1)),
        duration_ms: None,
        bytes: Bytes::from(vec![7u8; size]),
    }
}

#[test]
fn files_stay_within_the_chat_and_total_caps() -> Result<(), MemoryFull> {
    let memory = MemoryLines::with_caps(100, 150);
    let (a, b, c) = (someone("chat-a", 1), someone("chat-b", 2), someone("chat-c", 3));
    let (first, fresh) = memory.append_file(&a, "a1", upload(60), 1, 0)?;
    assert!(fresh);
    let id = first.attachment.as_ref().map_or(0, |a| a.id);
    assert_eq!(id, first.id, "a file is kept under its line's id");
    assert_eq!(memory.file("chat-a", id).map(|f| f.bytes.len()), Some(60));
    // The same client id again keeps nothing more.
    assert_eq!(memory.append_file(&a, "a1", upload(60), 2, 0)?, (first.clone(), false));
    assert_eq!(memory.file_bytes(), 60);

    // A second file past the chat's cap drops the chat's oldest file; its line stays.
    let (second, _) = memory.append_file(&a, "a2", upload(60), 3, 0)?;
    assert!(memory.file("chat-a", id).is_none());
    assert_eq!(memory.after("chat-a", 0).len(), 2);
    assert_eq!(memory.file_bytes(), 60);

    // Another chat fits under the total; a third would pass it and is refused, changing nothing.
    memory.append_file(&b, "b1", upload(80), 4, 0)?;
    assert_eq!(memory.append_file(&c, "c1", upload(20), 5, 0), Err(MemoryFull));
    assert!(memory.after("chat-c", 0).is_empty());
    assert_eq!(memory.file_bytes(), 140);
    // Bigger than a chat may hold at all: refused.
    assert_eq!(memory.append_file(&c, "c2", upload(101), 6, 0), Err(MemoryFull));

    // Ending a chat frees its files.
    memory.forget("chat-a");
    assert!(memory.file("chat-a", second.id).is_none());
    assert_eq!(memory.file_bytes(), 80);
    assert!(memory.append_file(&c, "c1", upload(20), 7, 0)?.1);
    assert_eq!(memory.file_bytes(), 100);
    Ok(())
}

#[test]
fn lines_stay_in_id_order_and_each_frame_is_encoded_once() {
    let memory = MemoryLines::new();
    let a = someone("chat-a", 1);
    let b = someone("chat-a", 2);
    // With several nodes, PostgreSQL numbers lines, and they arrive here in any order.
    memory.replicate("chat-a", line_by(&b, MessageKind::Text, "three", "third", 1, 30));
    memory.append(&a, MessageKind::Text, "one", "first", 1, 10);
    memory.replicate("chat-a", line_by(&b, MessageKind::Text, "two", "second", 1, 20));
    memory.replicate("chat-a", line_by(&b, MessageKind::Text, "two", "second", 1, 20));
    let ids = |lines: Vec<ChatMessage>| lines.into_iter().map(|l| l.id).collect::<Vec<_>>();
    assert_eq!(ids(memory.after("chat-a", 0)), [10, 20, 30]);
    assert_eq!(ids(memory.after("chat-a", 10)), [20, 30]);

    let frames = memory.frames_after("chat-a", 10, 1);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].0, 20);
    assert!(frames[0].1.as_str().contains("\"second\""), "{}", frames[0].1.as_str());
    let again = memory.frames_after("chat-a", 0, 10);
    assert_eq!(again.iter().map(|f| f.0).collect::<Vec<_>>(), [10, 20, 30]);
    assert_eq!(again[1].1.as_str().as_ptr(), frames[0].1.as_str().as_ptr(), "the frame is shared, not encoded again");
}

#[test]
fn a_line_leaving_the_window_takes_its_file() -> Result<(), MemoryFull> {
    let memory = MemoryLines::new();
    let a = someone("chat-a", 1);
    let (line, _) = memory.append_file(&a, "f", upload(10), 1, 0)?;
    for i in 0..INSTANT_CHAT_MEMORY_MESSAGES {
        memory.append(&a, MessageKind::Text, &format!("t{i}"), "hi", 2, 0);
    }
    assert!(memory.file("chat-a", line.id).is_none());
    assert_eq!(memory.file_bytes(), 0);
    Ok(())
}

#[test]
fn lines_of_all_chats_stay_within_their_cap_the_largest_chat_giving_first() {
    let line_cost = |body: &str, p: &ParticipantRow| body.len() + p.name.len() + HELD_LINE_OVERHEAD_BYTES;
    let (busy, quiet) = (someone("busy", 1), someone("quiet", 2));
    let body = "x".repeat(744);
    let cost = line_cost(&body, &busy); // 1,002 bytes
    let memory = MemoryLines::with_lines_cap(100 * cost);
    for i in 0..10 {
        memory.append(&quiet, MessageKind::Text, &format!("q{i}"), &body, 0, 0);
    }
    assert!(!memory.is_full());
    for i in 0..200 {
        memory.append(&busy, MessageKind::Text, &format!("b{i}"), &body, 0, 0);
        let held = memory.held();
        assert!(held.line_bytes <= 100 * cost, "over the cap after line {i}");
        assert_eq!(held.line_bytes, held.chats.values().map(|c| c.line_bytes).sum::<usize>());
    }
    // The busy chat gave up its oldest lines; the quiet one kept all ten.
    assert_eq!(memory.after("quiet", 0).len(), 10);
    let busy_lines = memory.after("busy", 0);
    assert!(busy_lines.len() < 90, "{}", busy_lines.len());
    assert_eq!(busy_lines.last().map(|l| l.client_id.as_str()), Some("b199"), "the newest stay");
    // Forgetting a chat gives its share back.
    memory.forget("busy");
    assert_eq!(memory.held().line_bytes, 10 * cost);
    assert!(!memory.is_full());
}

#[test]
fn a_deleted_line_keeps_only_its_marker_here_and_wherever_its_delete_line_goes() -> Result<(), MemoryFull> {
    let memory = MemoryLines::new();
    let (guest, other) = (someone("chat-a", 1), someone("chat-a", 2));
    let host = ParticipantRow { is_host: true, ..someone("chat-a", 3) };
    let (said, _) = memory.append(&guest, MessageKind::Text, "g1", "spam spam", 1, 0);
    let (file, _) = memory.append_file(&guest, "g2", upload(50), 2, 0)?;
    let lines_before = memory.held().line_bytes;

    // Only the author or the host; system lines and deleted lines are no messages to delete.
    assert_eq!(memory.delete(&other, said.id, "o-del", 3, 0), Err(WriteRefusal::NotYourMessage));
    let (deleted, fresh) = memory.delete(&host, said.id, "h-del", 4, 0).map_err(|_| MemoryFull)?;
    assert!(fresh);
    assert_eq!((deleted.kind, deleted.target_id, deleted.author_id), (MessageKind::Delete, Some(said.id), guest.id));
    assert_eq!(memory.delete(&host, said.id, "h-del", 5, 0), Ok((deleted.clone(), false)), "a retry is the same line");
    assert_eq!(memory.delete(&host, said.id, "h-del-2", 5, 0), Err(WriteRefusal::MessageGone));
    let marker = memory.after("chat-a", 0).into_iter().find(|l| l.id == said.id).map(|l| (l.kind, l.body));
    assert_eq!(marker, Some((MessageKind::Deleted, String::new())));
    assert!(memory.held().line_bytes < lines_before + HELD_LINE_OVERHEAD_BYTES + guest.name.len(), "its text is let go");

    // A file's line: the file goes too.
    memory.delete(&guest, file.id, "g-del", 6, 0).map_err(|_| MemoryFull)?;
    assert!(memory.file("chat-a", file.id).is_none());
    assert_eq!(memory.file_bytes(), 0);

    // Another node applies the delete lines the bus brings, once however often they come.
    let there = MemoryLines::new();
    there.replicate("chat-a", said.clone());
    for _ in 0..2 {
        there.replicate("chat-a", deleted.clone());
    }
    let kinds: Vec<MessageKind> = there.after("chat-a", 0).into_iter().map(|l| l.kind).collect();
    assert_eq!(kinds, [MessageKind::Deleted, MessageKind::Delete]);
    Ok(())
}
