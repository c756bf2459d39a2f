//! The live socket: who may open it and follow a room, delivery, order,
//! limits, catch-up and deduplication.

use crate::support::{Client, TestServer};
use roomlink::{
    limits::MESSAGE_MAX_CHARS,
    live::{ServerEvent, Topic},
};

/// A server with a room "Club" owned by ana, which bruno joined by link.
/// These tests send lines in quick bursts: the per-socket line budget is
/// off here (it has its own test, in `access`).
async fn two_members() -> (TestServer, Client, Client, i64) {
    let s = TestServer::start_with(|s| s.live_lines_per_second = 0).await;
    let (ana, bruno, room) = crate::support::club(&s).await;
    (s, ana, bruno, room)
}

/// The bodies of the stored messages (not system lines), in order.
async fn stored(s: &TestServer) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM messages WHERE kind = 'text' ORDER BY id").fetch_all(s.store.pool()).await.unwrap()
}

#[tokio::test]
async fn the_socket_needs_a_session_and_this_sites_origin() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    assert_eq!(ana.live_from("http://evil.example").await.err(), Some(403));
    assert_eq!(s.client().live_from(&s.origin()).await.err(), Some(401));
    assert!(ana.live_from(&s.origin()).await.is_ok());
}

#[tokio::test]
async fn non_members_cannot_follow_or_send() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Private").await;
    let eve = s.user("eve").await;
    let mut live = eve.live().await;
    match live.subscribe(room, 0).await {
        ServerEvent::Refused { reason, .. } => assert!(reason.to_string().contains("not a member"), "{reason}"),
        other => panic!("{other:?}"),
    }
    live.say(room, "e1", "let me in").await;
    assert!(matches!(live.next().await, ServerEvent::Refused { .. }));
    assert!(stored(&s).await.is_empty());
}

#[tokio::test]
async fn messages_reach_every_member_once_in_order_after_being_stored() {
    let (s, ana, bruno, room) = two_members().await;

    let mut a = ana.live().await;
    let mut b = bruno.live().await;
    assert_eq!(a.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
    assert_eq!(b.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });

    for i in 0..20 {
        a.say(room, &format!("a{i}"), &format!("hello {i}")).await;
    }
    let mut last = 0;
    for i in 0..20 {
        let got = b.message().await;
        assert_eq!(got.body, format!("hello {i}"));
        assert_eq!(got.author_name, "ana");
        assert!(got.id > last, "ids increase");
        last = got.id;
        let echo = a.message().await;
        assert_eq!(echo.id, got.id, "the sender gets its own message back, with its id");
        assert_eq!(echo.client_id, format!("a{i}"));
    }
    assert_eq!(b.quiet_for(300).await, None, "nothing twice");
    assert_eq!(stored(&s).await.len(), 20);
}

#[tokio::test]
async fn message_length_is_enforced_by_the_server_and_nothing_refused_is_stored() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;

    let too_long = "a".repeat(MESSAGE_MAX_CHARS + 1);
    for (client_id, body, fragment) in [("x1", too_long.as_str(), "at most 4000"), ("x2", " \n ", "Type a message")] {
        a.say(room, client_id, body).await;
        match a.next().await {
            ServerEvent::Refused { client_id: Some(id), reason, .. } => {
                assert_eq!(id, client_id);
                assert!(reason.to_string().contains(fragment), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    a.send_raw("{not json").await;
    assert!(matches!(a.next().await, ServerEvent::Refused { .. }));
    assert!(stored(&s).await.is_empty());

    let longest = "é".repeat(MESSAGE_MAX_CHARS);
    a.say(room, "x3", &format!("  {longest}  ")).await;
    assert_eq!(a.message().await.body, longest, "4000 characters fit, trimmed");
}

#[tokio::test]
async fn a_reconnecting_tab_catches_up_without_gaps_or_duplicates() {
    let (_server, ana, bruno, room) = two_members().await;
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;

    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    a.say(room, "m0", "before").await;
    let seen = b.message().await.id;
    drop(b);

    const MISSED: usize = 100;
    for i in 1..=MISSED {
        a.say(room, &format!("m{i}"), &format!("missed {i}")).await;
    }
    for _ in 0..=MISSED {
        a.message().await;
    }
    let reconnect = std::time::Instant::now();
    let mut b = bruno.live().await;
    assert_eq!(b.subscribe(room, seen).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
    for i in 1..=MISSED {
        assert_eq!(b.message().await.body, format!("missed {i}"));
    }
    println!("reconnect and catch-up of {MISSED} missed messages: {:?}", reconnect.elapsed());
    a.say(room, "after", "live again").await;
    assert_eq!(b.message().await.body, "live again");
    assert_eq!(b.quiet_for(300).await, None);
}

/// A tab that missed more than a page of lines is caught up page by page
/// (`LIVE_CATCH_UP_PAGE_LINES` lines each), and lines sent while it is being caught
/// up neither overtake the missed ones nor come twice.
#[tokio::test]
async fn a_tab_that_missed_several_pages_gets_every_line_once_in_order_while_others_talk() {
    let (s, ana, bruno, room) = two_members().await;
    let ana_id = s.user_id("ana").await;
    const MISSED: usize = roomlink::limits::LIVE_CATCH_UP_PAGE_LINES * 2 + 250;
    let body = "x".repeat(200);
    let inserts = (0..MISSED).map(|i| {
        let (messages, body) = (s.store.messages(), &body);
        async move { messages.insert(room, ana_id, &format!("old{i}"), body, 1).await.unwrap() }
    });
    futures::future::join_all(inserts).await;

    let mut a = ana.live().await;
    a.subscribe(room, 0).await;
    let mut b = bruno.live().await;
    b.send(&roomlink::live::ClientEvent::Subscribe { topic: Topic::Room(room), after_id: 0 }).await;
    // Ana talks while Bruno's tab is (likely) still being caught up.
    const LIVE: usize = 20;
    for i in 0..LIVE {
        a.say(room, &format!("new{i}"), &format!("live {i}")).await;
    }
    let mut ids = Vec::new();
    let mut bodies = Vec::new();
    while bodies.iter().filter(|b: &&String| b.starts_with("live ")).count() < LIVE {
        match b.next().await {
            ServerEvent::Message { message } => {
                ids.push(message.id);
                bodies.push(message.body);
            }
            _ => {}
        }
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "lines out of order or twice");
    let old = bodies.iter().filter(|b| **b == body).count();
    assert_eq!(old, MISSED, "every missed line, once");
    let live: Vec<&String> = bodies.iter().filter(|b| b.starts_with("live ")).collect();
    assert_eq!(live, (0..LIVE).map(|i| format!("live {i}")).collect::<Vec<_>>().iter().collect::<Vec<_>>());
    assert_eq!(b.quiet_for(300).await, None, "nothing more");
}

#[tokio::test]
async fn a_retried_send_is_stored_and_shown_once() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;
    a.say(room, "same-id", "only once").await;
    let first = a.message().await;
    a.say(room, "same-id", "only once").await;
    let second = a.message().await;
    assert_eq!(first.id, second.id);
    assert_eq!(stored(&s).await, vec!["only once"]);
}

/// A crowd of tabs connecting at once all get in line: the listening socket
/// holds [`roomlink::limits::LISTEN_BACKLOG`] connections, not the standard
/// library's 128, past which the kernel drops a connection's SYN and the
/// tab waits a second or more to try again.
#[tokio::test]
async fn the_listener_holds_a_crowd_connecting_at_once() {
    let listener = roomlink::server::listen(([127, 0, 0, 1], 0).into()).unwrap();
    let addr = listener.local_addr().unwrap();
    // Nothing is accepted yet, as when the server is busy: every handshake
    // must complete in the kernel's queue.
    let crowd = 300;
    let connected = futures::future::join_all((0..crowd).map(|_| async move {
        tokio::time::timeout(std::time::Duration::from_secs(3), tokio::net::TcpStream::connect(addr)).await.ok().and_then(Result::ok)
    }))
    .await;
    let queued = connected.iter().filter(|c| c.is_some()).count();
    assert_eq!(queued, crowd, "connections queued before any accept");
    drop(listener);
}

/// A tab whose room never stops sending it events (a flood published
/// straight into the hub, far faster than the tab reads) still has its own
/// frames read: its message is stored. The socket loop takes live events
/// before the tab's frames (issue 6: polling the read side on every
/// delivery cost a tenth of the server's user-space work). The flood's
/// frames are large and the tab reads slowly, so every turn's write waits
/// on the tab and the flood refills the room's channel meanwhile; then
/// only the loop's limit of turns in a row lets the tab's frames in (with
/// small frames, tokio's per-poll budget does too, and this test passes
/// without the limit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_flooded_with_live_events_is_still_heard() {
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

    use roomlink::live::hub::{encode, HubEvent};

    let (s, ana, _bruno, room) = two_members().await;
    let mut a = ana.live().await;
    assert_eq!(a.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
    // Stops the flood when the test ends, also when it fails.
    struct Stop(std::sync::Arc<AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, Relaxed);
        }
    }
    let stop = Stop(std::sync::Arc::new(AtomicBool::new(false)));
    let flood = {
        let (hub, stop, topic) = (s.hub.clone(), stop.0.clone(), Topic::Room(room));
        std::thread::spawn(move || {
            // Large, so that every turn's write waits on the slow tab.
            let typist = roomlink::live::Typist { author_id: 0, author_name: "x".repeat(16 * 1024) };
            let frame = encode(&ServerEvent::TypingDiff { topic: topic.clone(), started: vec![typist], stopped: Vec::new() });
            let mut published = 0u64;
            while !stop.load(Relaxed) {
                hub.deliver(&topic, HubEvent::new(frame.clone()));
                published += 1;
            }
            published
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    a.say(room, "a1", "still here").await;
    let reader = tokio::spawn(async move {
        while a.quiet_any(5_000).await.is_some() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    });
    let mut saved = Vec::new();
    for _ in 0..100 {
        saved = stored(&s).await;
        if !saved.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(stop);
    reader.abort();
    let published = flood.join().unwrap();
    assert_eq!(saved, ["still here"], "the tab's message was read and stored while its room flooded");
    assert!(published > 100_000, "the room was flooded: {published} events");
}
