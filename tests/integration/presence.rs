//! Presence and typing indicators: people, not connections, are online;
//! silent connections time out; typing states lapse and end with the connection.

use crate::support::{club, presence_of, Client, TestServer};
use roomlink::live::{ServerEvent, Topic, Typist};

/// The next presence or typing event, skipping messages.
async fn next_signal(live: &mut crate::support::Live) -> ServerEvent {
    loop {
        match live.next_any().await {
            ServerEvent::Message { .. } => continue,
            other => return other,
        }
    }
}

/// True when `e` is a presence diff of `room` saying `author_id` came
/// online (`online`) or went offline.
fn changed(room: i64, author_id: i64, online: bool) -> impl Fn(&ServerEvent) -> bool {
    move |e| presence_of(e, &Topic::Room(room), author_id).is_some_and(|offline_at| offline_at.is_none() == online)
}

#[tokio::test]
async fn several_tabs_of_one_person_are_one_person_online_until_the_last_goes() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let (ana_id, bruno_id) = (s.user_id("ana").await, s.user_id("bruno").await);

    let mut b = bruno.live().await;
    assert!(matches!(b.subscribe(room, 0).await, ServerEvent::Subscribed { .. }));
    assert_eq!(next_signal(&mut b).await, ServerEvent::Presence { topic: Topic::Room(room), online: vec![bruno_id] });
    assert!(changed(room, bruno_id, true)(&next_signal(&mut b).await), "own arrival");

    let mut a1 = ana.live().await;
    a1.subscribe(room, 0).await;
    match a1.next_any().await {
        ServerEvent::Presence { online, .. } => assert_eq!(online, vec![ana_id, bruno_id]),
        other => panic!("{other:?}"),
    }
    assert!(changed(room, ana_id, true)(&next_signal(&mut b).await));
    let mut a2 = ana.live().await;
    a2.subscribe(room, 0).await;
    assert!(b.quiet_any(300).await.is_none(), "a second tab is not news");

    let token = ana.invite(room).await;
    let roomlink::invites::JoinPreview::Room(preview) = s.client().json("invite_preview", &[("token", &token)]).await else {
        panic!("a room's link previews the room");
    };
    assert_eq!((preview.member_count, preview.online_now), (2, 2), "the join page says who is online");

    a1.close().await;
    assert!(b.quiet_any(300).await.is_none(), "ana still has a tab open");
    a2.close().await;
    assert!(changed(room, ana_id, false)(&next_signal(&mut b).await));
    // The time is stored just after the others are told.
    let mut seen: Option<i64> = None;
    for _ in 0..50 {
        seen = sqlx::query_scalar("SELECT last_seen_at FROM memberships WHERE user_id = $1")
            .bind(ana_id)
            .fetch_one(s.store.pool())
            .await
            .unwrap();
        if seen.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(seen.is_some_and(|t| t > roomlink::clock::now_ms() - 5_000), "{seen:?}");
    let page: roomlink::rooms::RoomPage = bruno.json("room_page", &[("room_id", &room.to_string())]).await;
    assert_eq!(page.members.iter().find(|m| m.id == ana_id).and_then(|m| m.last_seen_at), seen);
}

#[tokio::test]
async fn a_connection_that_goes_silent_is_closed_and_shown_offline() {
    let s = TestServer::start_with(|s| s.live_idle_timeout_secs = 1).await;
    let (ana, bruno, room) = club(&s).await;
    let ana_id = s.user_id("ana").await;
    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;
    // Bruno keeps his heartbeat going; ana's tab "vanished" and says nothing.
    let started = std::time::Instant::now();
    loop {
        b.send(&roomlink::live::ClientEvent::Ping).await;
        match b.quiet_any(300).await {
            Some(e) if changed(room, ana_id, false)(&e) => break,
            _ => assert!(started.elapsed().as_secs() < 5, "ana never went offline"),
        }
    }
    assert!(a.closed().await);
    assert!(started.elapsed().as_millis() >= 700, "closed before the timeout");
}

/// `count` new people named `<prefix><n>` who joined `room` through a link
/// of `owner`'s: (user id, name, client) each.
async fn crowd(s: &TestServer, owner: &Client, room: i64, prefix: &str, count: usize) -> Vec<(i64, String, Client)> {
    let token = owner.invite(room).await;
    let mut people = Vec::new();
    for i in 0..count {
        let name = format!("{prefix}{i}");
        let c = s.user(&name).await;
        assert!(c.call("accept_invite", &[("token", &token)]).await.status().is_success());
        people.push((s.user_id(&name).await, name, c));
    }
    people
}

/// Waits until the room's last lines (the "joined"s) are more than a typing
/// window old: where lines flow, typing changes wait for the next line
/// instead of going at once, and these tests start from a quiet room.
async fn until_lines_settle() {
    tokio::time::sleep(std::time::Duration::from_millis(roomlink::limits::TYPING_BATCH_MS + 100)).await;
}

#[tokio::test]
async fn typing_states_lapse_and_end_with_the_connection() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let ana_id = s.user_id("ana").await;
    let topic = Topic::Room(room);
    let typist = |author_id| Typist { author_id, author_name: "ana".into() };
    let started = |on: Vec<Typist>| ServerEvent::TypingDiff { topic: topic.clone(), started: on, stopped: vec![] };
    let stopped = |ids: Vec<i64>| ServerEvent::TypingDiff { topic: topic.clone(), started: vec![], stopped: ids };
    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;
    b.drain(200).await; // presence events
    until_lines_settle().await;

    a.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    assert_eq!(next_signal(&mut b).await, started(vec![typist(ana_id)]));
    a.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    assert!(b.quiet_any(300).await.is_none(), "a refresh is not news");
    a.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: false }).await;
    assert_eq!(next_signal(&mut b).await, stopped(vec![ana_id]));

    // Nobody says "stopped": the server drops it after 6 s (checked every second).
    a.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    let since = std::time::Instant::now();
    assert_eq!(next_signal(&mut b).await, started(vec![typist(ana_id)]));
    let Some(e) = b.quiet_any(8_000).await else { panic!("typing never lapsed") };
    assert_eq!(e, stopped(vec![ana_id]));
    let lapsed = since.elapsed().as_millis();
    assert!((5_900..8_000).contains(&lapsed), "lapsed after {lapsed} ms");

    // Typing, then the tab closes: "stopped" comes with "offline", in
    // either order (typing and presence diffs keep their own windows).
    a.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    assert_eq!(next_signal(&mut b).await, started(vec![typist(ana_id)]));
    a.close().await;
    let (first, second) = (next_signal(&mut b).await, next_signal(&mut b).await);
    let went = changed(room, ana_id, false);
    assert!((first == stopped(vec![ana_id]) && went(&second)) || (went(&first) && second == stopped(vec![ana_id])), "{first:?} {second:?}");
}

#[tokio::test]
async fn a_crowd_typing_at_once_is_told_in_few_diffs_and_a_line_ends_its_author_typing() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let topic = Topic::Room(room);
    let people = crowd(&s, &ana, room, "typist", 8).await;
    let mut tabs = Vec::new();
    for (_, _, c) in &people {
        let mut tab = c.live().await;
        tab.subscribe(room, 0).await;
        tabs.push(tab);
    }
    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    b.drain(300).await; // catch-up lines, presence
    until_lines_settle().await;

    // Everyone starts typing at once.
    for tab in &mut tabs {
        tab.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    }
    let ServerEvent::TypingDiff { started: first, .. } = next_signal(&mut b).await else { panic!("a typing diff first") };
    assert_eq!(first.len(), 1, "the first change goes alone, at once: {first:?}");
    // One still held in the window sends a line without saying "stopped".
    let (writer, (writer_id, writer_name, _)) =
        people.iter().enumerate().find(|(_, (id, _, _))| *id != first[0].author_id).expect("eight typists");
    tabs[writer].say(room, "w1", "done typing").await;

    let (mut diffs, mut named, mut line_seen, mut writer_stopped) = (1, first.len(), false, false);
    while let Some(e) = b.quiet_any(1_500).await {
        match e {
            ServerEvent::Message { message } => line_seen |= message.author_id == *writer_id,
            ServerEvent::TypingDiff { started, stopped, .. } => {
                diffs += 1;
                named += started.iter().filter(|t| t.author_id != *writer_id).count();
                let names_writer = started.iter().any(|t| t.author_id == *writer_id);
                assert!(!(line_seen && names_writer), "{writer_name} named typing after their line");
                assert!(started.iter().all(|t| people.iter().any(|(id, name, _)| *id == t.author_id && *name == t.author_name)));
                writer_stopped |= stopped.contains(writer_id);
            }
            other => panic!("expected lines and typing diffs, got {other:?}"),
        }
    }
    assert!(line_seen, "the line arrived");
    assert!(writer_stopped, "whoever sends a line has stopped typing, without saying so");
    assert_eq!(named, people.len() - 1, "each other typist named once");
    assert!(diffs <= 3, "{} typists in {diffs} diffs: a burst goes together", people.len());
}

#[tokio::test]
async fn typing_changes_waiting_for_their_window_go_out_just_before_the_next_line() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let topic = Topic::Room(room);
    let carla = s.user("carla").await;
    let token = ana.invite(room).await;
    assert!(carla.call("accept_invite", &[("token", &token)]).await.status().is_success());
    let (ana_id, carla_id) = (s.user_id("ana").await, s.user_id("carla").await);
    let (mut a, mut b, mut c) = (ana.live().await, bruno.live().await, carla.live().await);
    for tab in [&mut a, &mut b, &mut c] {
        tab.subscribe(room, 0).await;
    }
    b.drain(300).await; // catch-up lines, presence
    until_lines_settle().await;

    a.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    let ServerEvent::TypingDiff { started, .. } = next_signal(&mut b).await else { panic!("a typing diff") };
    assert_eq!(started.iter().map(|t| t.author_id).collect::<Vec<_>>(), vec![ana_id], "the first goes at once");
    // Carla starts typing within the window, then Ana sends a line: Carla's
    // change does not wait for the window's end but goes just before it.
    c.send(&roomlink::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    a.say(room, "a1", "hello").await;
    let (first, second) = (b.next_any().await, b.next_any().await);
    // With several nodes (PostgreSQL), lines come back through the bus, and
    // typing changes keep to their window: the line may then come first.
    let one_node = matches!(s.store.backend(), roomlink::store::Backend::Sqlite);
    let (along, line) = match (first, second) {
        (diff @ ServerEvent::TypingDiff { .. }, line) => (diff, line),
        (line, diff) if !one_node => (diff, line),
        (line, _) => panic!("typing changes before the line, got {line:?} first"),
    };
    let ServerEvent::TypingDiff { started, stopped, .. } = along else { panic!("a typing diff, got {along:?}") };
    assert_eq!(started.iter().map(|t| t.author_id).collect::<Vec<_>>(), vec![carla_id]);
    assert_eq!(stopped, vec![ana_id], "who sends a line stopped typing");
    assert!(matches!(line, ServerEvent::Message { message } if message.author_id == ana_id));
    assert!(b.quiet_any(700).await.is_none(), "nothing was left for the window's end");
}

/// Everyone in `diffs` of `topic` named online (`Ok`) or offline (`Err`),
/// read from `live` until `count` people are named; returns them, each
/// checked to be named once, and how many diffs it took.
async fn named_in_diffs(live: &mut crate::support::Live, topic: &Topic, count: usize) -> (Vec<Result<i64, (i64, i64)>>, usize) {
    let (mut named, mut diffs) = (Vec::new(), 0);
    while named.len() < count {
        match live.quiet_any(5_000).await.expect("a presence diff within 5 s") {
            ServerEvent::PresenceDiff { topic: t, joins, leaves } if t == *topic => {
                diffs += 1;
                named.extend(joins.into_iter().map(Ok));
                named.extend(leaves.into_iter().map(|l| Err((l.author_id, l.last_seen_at))));
            }
            other => panic!("expected a presence diff, got {other:?}"),
        }
    }
    (named, diffs)
}

#[tokio::test]
async fn a_crowd_arriving_or_leaving_at_once_is_told_in_few_diffs_each_person_once() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let topic = Topic::Room(room);
    let people = crowd(&s, &ana, room, "student", 18).await;
    let mut ids: Vec<i64> = people.iter().map(|(id, _, _)| *id).collect();
    ids.sort_unstable();
    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    b.drain(300).await; // the catch-up lines, his own arrival

    // The class opens the room at once.
    let tabs = futures::future::join_all(people.iter().map(|(_, _, c)| async move {
        let mut tab = c.live().await;
        tab.subscribe(room, 0).await;
        tab
    }))
    .await;
    let (named, diffs) = named_in_diffs(&mut b, &topic, ids.len()).await;
    let mut online: Vec<i64> = named.iter().map(|n| *n.as_ref().expect("only arrivals")).collect();
    online.sort_unstable();
    assert_eq!(online, ids, "each arrival told once");
    assert!(diffs < ids.len(), "{} arrivals in {diffs} diffs: a burst goes together", ids.len());
    assert!(b.quiet_any(300).await.is_none(), "nothing more to tell");
    let ana_tab_sees = {
        let mut a = ana.live().await;
        a.subscribe(room, 0).await;
        let mut presence = None;
        while let Some(e) = a.quiet_any(300).await {
            if let ServerEvent::Presence { online, .. } = e {
                presence = Some(online);
            }
        }
        a.close().await;
        presence.expect("a snapshot on subscribing")
    };
    assert!(ids.iter().all(|id| ana_tab_sees.contains(id)), "a tab opened meanwhile sees them all online");
    b.drain(300).await; // ana came and went

    // And leaves at once.
    let before = roomlink::clock::now_ms();
    futures::future::join_all(tabs.into_iter().map(|tab| tab.close())).await;
    let (named, diffs) = named_in_diffs(&mut b, &topic, ids.len()).await;
    let mut offline: Vec<i64> = named
        .iter()
        .map(|n| {
            let (id, seen) = n.expect_err("only leaves");
            assert!(seen >= before, "last seen when the tab closed");
            id
        })
        .collect();
    offline.sort_unstable();
    assert_eq!(offline, ids, "each leave told once");
    assert!(diffs < ids.len(), "{} leaves in {diffs} diffs", ids.len());
}
