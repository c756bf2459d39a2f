//! Presence and typing indicators: people, not connections, are online;
//! silent connections time out; typing states lapse and end with the connection.

use super::support::{club, TestServer};
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

fn changed(room: i64, author_id: i64, online: bool) -> impl Fn(&ServerEvent) -> bool {
    move |e| {
        matches!(e, ServerEvent::PresenceChanged { topic, author_id: a, online: o, last_seen_at }
            if *topic == Topic::Room(room) && *a == author_id && *o == online && last_seen_at.is_some() != online)
    }
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
