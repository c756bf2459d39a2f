//! Access that ends at once: heartbeats answered, log-outs closing the
//! session's sockets, rights read again wherever a socket resumes.

use crate::support::{club, Live, TestServer};

/// Ana's room with Bruno in it, and a tab of each following it, with what
/// subscribing brought (presence) read.
async fn club_following(s: &TestServer) -> (Live, Live, i64) {
    let (ana, bruno, room) = club(s).await;
    let mut a = ana.live().await;
    let mut b = bruno.live().await;
    for live in [&mut a, &mut b] {
        live.subscribe(room, 0).await;
        live.drain(200).await;
    }
    (a, b, room)
}
use roomlink::error::Refusal;
use roomlink::live::{
    timeline::{NewLine, PostError},
    ClientEvent, ServerEvent, Topic,
};

#[tokio::test]
async fn the_server_answers_every_heartbeat() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let mut live = ana.live().await;
    for _ in 0..3 {
        live.send(&ClientEvent::Ping).await;
        assert_eq!(live.next_any().await, ServerEvent::Pong);
    }
}

#[tokio::test]
async fn logging_out_ends_that_sessions_sockets_at_once_and_no_other() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    // Ana in a second browser: another session of the same account.
    let ana_phone = s.client();
    let r = ana_phone.call("log_in", &[("username", "ana"), ("password", "correct horse")]).await;
    assert!(r.status().is_success(), "{}", r.status());

    let mut laptop = ana.live().await;
    let mut phone = ana_phone.live().await;
    let mut b = bruno.live().await;
    for live in [&mut laptop, &mut phone, &mut b] {
        assert_eq!(live.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
        live.drain(200).await;
    }

    assert!(ana.call("log_out", &[]).await.status().is_success());
    assert_eq!(
        laptop.next().await,
        ServerEvent::Ended { topic: Topic::Room(room), reason: Refusal::LoggedOut },
        "the logged-out browser's tab is told why"
    );
    assert!(laptop.closed().await, "and its socket closes");

    b.say(room, "b1", "still here?").await;
    assert_eq!(phone.message().await.body, "still here?", "the other session stays live");
    assert_eq!(b.message().await.body, "still here?");
}

#[tokio::test]
async fn a_member_banned_while_their_tab_lagged_gets_nothing_after_the_ban_when_it_resumes() {
    let s = TestServer::start().await;
    let (mut a, mut b, room) = club_following(&s).await;
    let bruno_id = s.user_id("bruno").await;
    // The ban commits, but its notice to bruno's tab is lost: his tab falls
    // behind the room's channel (the test's runtime runs one task at a
    // time, so nothing is read while these go in) and the notice with it.
    let now = roomlink::clock::now_ms();
    let banned = s.store.rooms().end_membership(room, bruno_id, roomlink::store::MembershipEnd::Banned, None, now).await.unwrap();
    assert!(banned);
    let filler = roomlink::live::hub::encode(&ServerEvent::Pong);
    for _ in 0..300 {
        s.hub.deliver(&Topic::Room(room), roomlink::live::hub::HubEvent::new(filler.clone()));
    }
    assert_eq!(
        b.next().await,
        ServerEvent::Ended { topic: Topic::Room(room), reason: Refusal::NoLongerMember },
        "resuming, the tab reads its rights again"
    );
    a.say(room, "a1", "after the ban").await;
    assert_eq!(a.message().await.body, "after the ban");
    assert!(b.closed().await, "his only topic ended, so his socket closes");
}

#[tokio::test]
async fn the_store_refuses_a_line_from_a_guest_who_left_whatever_their_socket_believes() {
    let (s, _host, bruno, id) = crate::instant::ana_and_bruno(true).await;
    let me = crate::instant::page(&bruno, &id).await.me.expect("bruno is in the chat");
    let lines = s.store.instant_lines();
    let now = roomlink::clock::now_ms();
    let (_, stored) = lines.insert(&id, me.id, roomlink::live::MessageKind::Text, "before", "still here", now).await.unwrap();
    assert!(stored);
    assert!(bruno.call("leave_instant_chat", &[("id", &id)]).await.status().is_success());
    let late = lines.insert(&id, me.id, roomlink::live::MessageKind::Text, "after", "gone but talking", now).await;
    assert!(
        matches!(late, Err(roomlink::store::StoreError::NotAllowed(roomlink::store::WriteRefusal::LeftChat))),
        "{late:?}"
    );
    // A retry of a line stored before leaving still answers with that line.
    let (again, stored) = lines.insert(&id, me.id, roomlink::live::MessageKind::Text, "before", "still here", now).await.unwrap();
    assert!(!stored);
    assert_eq!(again.body, "still here");
}

/// The same in a chat without history, whose lines only memory holds:
/// memory keeps no participants, so the line is checked against the
/// participant's row under the chat's lock.
#[tokio::test]
async fn a_chat_without_history_refuses_a_line_from_a_guest_who_left_whatever_their_socket_believes() {
    let (s, _host, bruno, id) = crate::instant::ana_and_bruno(false).await;
    let me = crate::instant::page(&bruno, &id).await.me.expect("bruno is in the chat");
    let me = s.store.instant_chats().participant(&id, me.id).await.unwrap().expect("his row");
    let chat = s.store.instant_chats().get(&id).await.unwrap().unwrap();
    let state = &s.state;
    let append = |client_id: &'static str, body: &'static str| {
        let line = NewLine::ChatLine { chat: &chat, author: &me, kind: roomlink::live::MessageKind::Text, body };
        async move { state.timeline().post(line, client_id).await }
    };
    let (_, kept) = append("before", "still here").await.unwrap();
    assert!(kept);
    assert!(bruno.call("leave_instant_chat", &[("id", &id)]).await.status().is_success());
    let late = append("after", "gone but talking").await;
    assert!(
        matches!(late, Err(PostError::Store(roomlink::store::StoreError::NotAllowed(roomlink::store::WriteRefusal::LeftChat)))),
        "{late:?}"
    );
    let held: Vec<String> = s.state.memory.after(&id, 0).into_iter().map(|l| l.body).collect();
    assert!(held.contains(&"still here".to_string()), "{held:?}");
    assert!(!held.contains(&"gone but talking".to_string()), "{held:?}");
}

/// Once chats without history hold nine tenths of `instant_memory_mib`,
/// no new one starts: the host is told why and what to do, a chat that
/// keeps history still starts, and the chats already running go on.
#[tokio::test]
async fn no_chat_without_history_starts_while_their_memory_is_nearly_full() {
    let s = TestServer::start_with(|s| s.instant_memory_mib = 1).await;
    let host = s.client();
    let id = crate::instant::start(&host, "", "Ana", false).await;
    let ana = crate::instant::page(&host, &id).await.me.expect("the host is in the chat");
    let ana = s.store.instant_chats().participant(&id, ana.id).await.unwrap().expect("her row");
    let chat = s.store.instant_chats().get(&id).await.unwrap().expect("the chat");
    let body = "x".repeat(roomlink::limits::MESSAGE_MAX_CHARS);
    let mut n = 0;
    while !s.state.memory.is_full() {
        let line = NewLine::ChatLine { chat: &chat, author: &ana, kind: roomlink::live::MessageKind::Text, body: &body };
        s.state.timeline().post(line, &format!("fill{n}")).await.unwrap();
        n += 1;
        assert!(n < 1_000, "1 MiB is full long before 1,000 lines of 4,000 bytes");
    }
    let r = s.client().call("start_instant_chat", &[("title", ""), ("name", "Bruno")]).await;
    assert_eq!(r.status(), 503);
    let error = crate::accounts::error_of(r).await;
    assert!(error.to_string().contains("Keep history"), "{error}");
    assert_eq!(crate::instant::start(&s.client(), "", "Bruno", true).await.len(), 16, "a chat with history still starts");
    // The running chat goes on.
    let mut live = host.live().await;
    live.subscribe(&roomlink::live::Topic::Chat(id.clone()), 0).await;
    live.drain(200).await;
    live.say(&roomlink::live::Topic::Chat(id.clone()), "after", "still here").await;
    assert_eq!(live.message().await.body, "still here");
}

/// Past its budget of "is typing" signals a socket's signals are dropped:
/// "stopped" signals (four bursts' worth) use the budget, and a "typing" right after them is
/// never shown to the others (sent within the burst, it would be).
#[tokio::test]
async fn typing_signals_past_the_socket_budget_are_dropped() {
    let s = TestServer::start().await;
    let (mut a, mut b, room) = club_following(&s).await;
    let bruno_id = s.user_id("bruno").await;
    let topic = roomlink::live::Topic::Room(room);
    for _ in 0..(roomlink::limits::LIVE_TYPING_BURST * 4) {
        b.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: false }).await;
    }
    b.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    // A line after the signals marks that the server read them all.
    b.say(room, "mark", "read them all").await;
    loop {
        match a.next_any().await {
            ServerEvent::Message { message } if message.body == "read them all" => break,
            ServerEvent::TypingDiff { started, .. } => {
                assert!(started.iter().all(|t| t.author_id != bruno_id), "a signal past the budget was shown")
            }
            _ => {}
        }
    }
    // Typing signals go out in batches (TYPING_BATCH_MS); one that was let
    // through would show within a few of them.
    while let Some(event) = a.quiet_any(3 * roomlink::limits::TYPING_BATCH_MS + 500).await {
        if let ServerEvent::TypingDiff { started, .. } = event {
            assert!(started.iter().all(|t| t.author_id != bruno_id), "a signal past the budget was shown");
        }
    }
}

#[tokio::test]
async fn a_socket_sending_past_its_budget_is_refused_with_a_reason_and_nothing_more_is_stored() {
    let s = TestServer::start().await;
    let (mut a, mut b, room) = club_following(&s).await;
    // A script floods the room: 100 lines at once on one socket (at 5 a
    // second after a burst of 10, all would pass only if reading them took
    // the server 18 s).
    for i in 0..100 {
        a.say(room, &format!("f{i}"), &format!("flood {i}")).await;
    }
    let (mut stored, mut refused) = (0, 0);
    while stored + refused < 100 {
        match a.next().await {
            ServerEvent::Message { .. } => stored += 1,
            ServerEvent::Refused { client_id: Some(_), reason, .. } => {
                assert_eq!(reason, Refusal::TooFast);
                refused += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(stored >= roomlink::limits::LIVE_LINES_BURST as usize, "a burst goes through: {stored}");
    assert!(refused > 0, "the flood hits a wall");
    let in_db: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE kind = 'text'").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(in_db as usize, stored, "nothing refused is stored");
    // Another person's socket has its own budget.
    b.say(room, "b1", "my turn").await;
    while b.message().await.body != "my turn" {}
}

/// An upload whose author is banned while the file is still on its way
/// is not stored: the right to write is read where the line is stored.
/// The request asks `Expect: 100-continue`, so the server says when its
/// handler (past its own rights check) starts reading the body; the ban
/// lands then, before the file is sent.
#[tokio::test]
async fn an_upload_racing_a_ban_is_not_stored() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let bruno_id = s.user_id("bruno").await;
    let image = crate::fixtures::png(64, 48);
    let path = roomlink::attachments::upload_url(&Topic::Room(room), "racing-1");
    let session = bruno.cookie("roomlink_session").expect("bruno is logged in");
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: roomlink_session={session}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {len}\r\nExpect: 100-continue\r\n\r\n",
        addr = s.addr,
        len = image.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut got = vec![0u8; 25];
    tcp.read_exact(&mut got).await.unwrap();
    assert!(got.starts_with(b"HTTP/1.1 100 Continue"), "{}", String::from_utf8_lossy(&got));

    let banned = ana.call("ban_member", &[("room_id", &room.to_string()), ("user_id", &bruno_id.to_string())]).await;
    assert!(banned.status().is_success(), "{}", banned.status());
    tcp.write_all(&image).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\r\n\r\n") {
        let n = tcp.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed without an answer");
        answer.extend_from_slice(&buf[..n]);
    }
    let answer = String::from_utf8_lossy(&answer).trim_start_matches("\r\n").to_string();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let files: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(files, 0, "nothing stored");
    let on_disk = std::fs::read_dir(s.settings.data_dir.join("uploads")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(on_disk, 0, "and the file is gone");
}

/// The store reads the right to write where it stores an attachment: a
/// muted member's and a banned one's are refused, with which, and nothing
/// is kept; a member's goes in.
#[tokio::test]
async fn the_store_refuses_an_attachment_from_someone_who_may_no_longer_write() {
    use roomlink::store::{MembershipEnd, NewAttachment, StoreError, StoredFile, WriteRefusal};
    let s = TestServer::start().await;
    let (_ana, _bruno, room) = club(&s).await;
    let bruno_id = s.user_id("bruno").await;
    let new = NewAttachment {
        room_id: room,
        uploader_id: bruno_id,
        file: StoredFile {
            kind: roomlink::attachments::AttachmentKind::Image,
            content_type: "image/png",
            size_bytes: 10,
            dimensions: Some((2, 2)),
            duration_ms: None,
            storage_key: "0123456789abcdef0123456789abcdef",
        },
    };
    let now = roomlink::clock::now_ms();
    let attachments = s.store.attachments();
    assert!(attachments.post(&new, "first", now).await.unwrap().1, "a member's goes in");
    let new = NewAttachment { file: StoredFile { storage_key: "1123456789abcdef0123456789abcdef", ..new.file }, ..new };
    assert!(s.store.rooms().set_can_write(room, bruno_id, false).await.unwrap());
    let muted = attachments.post(&new, "while-muted", now).await;
    assert!(matches!(muted, Err(StoreError::NotAllowed(WriteRefusal::Muted))), "{muted:?}");
    assert!(s.store.rooms().end_membership(room, bruno_id, MembershipEnd::Banned, None, now).await.unwrap());
    let banned = attachments.post(&new, "after-ban", now).await;
    assert!(matches!(banned, Err(StoreError::NotAllowed(WriteRefusal::NotMember))), "{banned:?}");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(rows, 1, "only the first is kept");
}
