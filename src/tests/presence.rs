//! Presence and typing indicators: people, not connections, are online;
//! silent connections time out; typing states lapse and end with the connection.

use super::support::{club, presence_of, TestServer};
use crate::live::{ServerEvent, Topic};

/// The next presence or typing event, skipping messages.
async fn next_signal(live: &mut super::support::Live) -> ServerEvent {
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
    let crate::invites::JoinPreview::Room(preview) = s.client().json("invite_preview", &[("token", &token)]).await else {
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
    assert!(seen.is_some_and(|t| t > crate::server::now_ms() - 5_000), "{seen:?}");
    let page: crate::rooms::RoomPage = bruno.json("room_page", &[("room_id", &room.to_string())]).await;
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
        b.send(&crate::live::ClientEvent::Ping).await;
        match b.quiet_any(300).await {
            Some(e) if changed(room, ana_id, false)(&e) => break,
            _ => assert!(started.elapsed().as_secs() < 5, "ana never went offline"),
        }
    }
    assert!(a.closed().await);
    assert!(started.elapsed().as_millis() >= 700, "closed before the timeout");
}

#[tokio::test]
async fn typing_states_lapse_and_end_with_the_connection() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let ana_id = s.user_id("ana").await;
    let topic = Topic::Room(room);
    let typing = |on: bool| ServerEvent::Typing { topic: topic.clone(), author_id: ana_id, author_name: "ana".into(), typing: on };
    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;
    while b.quiet_any(200).await.is_some() {} // presence events

    a.send(&crate::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    assert_eq!(next_signal(&mut b).await, typing(true));
    a.send(&crate::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    assert!(b.quiet_any(300).await.is_none(), "a refresh is not news");
    a.send(&crate::live::ClientEvent::Typing { topic: topic.clone(), typing: false }).await;
    assert_eq!(next_signal(&mut b).await, typing(false));

    // Nobody says "stopped": the server drops it after 6 s (checked every second).
    a.send(&crate::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    let since = std::time::Instant::now();
    assert_eq!(next_signal(&mut b).await, typing(true));
    loop {
        if let Some(e) = b.quiet_any(8_000).await {
            assert_eq!(e, typing(false));
            break;
        }
        panic!("typing never lapsed");
    }
    let lapsed = since.elapsed().as_millis();
    assert!((5_900..8_000).contains(&lapsed), "lapsed after {lapsed} ms");

    // Typing, then the tab closes: "stopped" comes with "offline".
    a.send(&crate::live::ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    assert_eq!(next_signal(&mut b).await, typing(true));
    a.close().await;
    assert_eq!(next_signal(&mut b).await, typing(false));
    assert!(changed(room, ana_id, false)(&next_signal(&mut b).await));
}

/// Everyone in `diffs` of `topic` named online (`Ok`) or offline (`Err`),
/// read from `live` until `count` people are named; returns them, each
/// checked to be named once, and how many diffs it took.
async fn named_in_diffs(live: &mut super::support::Live, topic: &Topic, count: usize) -> (Vec<Result<i64, (i64, i64)>>, usize) {
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
    let token = ana.invite(room).await;
    let mut people = Vec::new();
    for i in 0..18 {
        let name = format!("student{i}");
        let c = s.user(&name).await;
        assert!(c.call("accept_invite", &[("token", &token)]).await.status().is_success());
        people.push((s.user_id(&name).await, c));
    }
    let mut ids: Vec<i64> = people.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    while b.quiet_any(300).await.is_some() {} // the catch-up lines, his own arrival

    // The class opens the room at once.
    let tabs = futures::future::join_all(people.iter().map(|(_, c)| async move {
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
    while b.quiet_any(300).await.is_some() {} // ana came and went

    // And leaves at once.
    let before = crate::server::now_ms();
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
