//! History: keyset pages of 50 before a given id, for members only, nothing
//! from before one's arrival in an instant chat without history, and unread counts.

use crate::support::{club, TestServer};
use roomlink::live::{ChatMessage, Topic};

async fn older(client: &crate::support::Client, topic: &str, before_id: i64) -> Vec<ChatMessage> {
    client.json("older_lines", &[("topic", topic), ("before_id", &before_id.to_string())]).await
}

#[tokio::test]
async fn pages_go_back_fifty_at_a_time_without_gaps_or_repeats() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let ana_id = s.user_id("ana").await;
    for i in 0..120 {
        s.store.messages().insert(room, ana_id, &format!("c{i}"), &format!("m{i}"), i).await.unwrap();
    }
    let topic = format!("room:{room}");
    let opened: roomlink::rooms::RoomPage = bruno.json("room_page", &[("room_id", &room.to_string())]).await;
    let mut shown: Vec<String> = opened.messages.iter().map(|m| m.body.clone()).collect();
    assert_eq!(shown.len(), 50);
    let mut before = opened.messages[0].id;
    let mut sizes = Vec::new();
    loop {
        let page = older(&bruno, &topic, before).await;
        sizes.push(page.len());
        if page.is_empty() {
            break;
        }
        before = page[0].id;
        shown.splice(0..0, page.into_iter().map(|m| m.body));
    }
    assert_eq!(sizes, vec![50, 21, 0], "120 messages after the line \"bruno joined\"");
    let expected: Vec<String> = std::iter::once(String::new()).chain((0..120).map(|i| format!("m{i}"))).collect();
    assert_eq!(shown, expected);

    let eve = s.user("eve").await;
    let r = eve.call("older_lines", &[("topic", &topic), ("before_id", "1000")]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(ana.call("older_lines", &[("topic", "room:x"), ("before_id", "1")]).await.status(), 400);
}

#[tokio::test]
async fn without_history_a_newcomer_pages_back_only_to_their_arrival() {
    // Lines go in a quick burst: no per-socket line budget here.
    let s = TestServer::start_with(|s| s.live_lines_per_second = 0).await;
    let host = s.client();
    let r = host.call("start_instant_chat", &[("title", ""), ("name", "Ana")]).await;
    let id = r.headers()["location"].to_str().unwrap().trim_start_matches("/instant-chat/").to_string();
    let topic = Topic::Chat(id.clone());
    let mut live = host.live().await;
    live.subscribe(&topic, 0).await;
    live.line().await; // "Ana started the chat"
    for i in 0..60 {
        live.say(&topic, &format!("c{i}"), &format!("early {i}")).await;
        live.message().await;
    }
    let late = s.client();
    assert!(late.call("join_instant_chat", &[("id", &id), ("name", "Late")]).await.status().is_success());
    let wire = topic.to_string();
    let seen = older(&late, &wire, i64::MAX).await;
    assert_eq!(seen.iter().map(|l| l.author_name.as_str()).collect::<Vec<_>>(), ["Late"]);
    let all = older(&host, &wire, i64::MAX).await;
    assert_eq!(all.len(), 50, "the host was there for all of it");
    assert_eq!(all.last().map(|l| l.author_name.as_str()), Some("Late"));
    let earlier = older(&host, &wire, all[0].id).await;
    assert_eq!(earlier.len(), 12, "1 start, 60 messages, 1 join: 62 lines");
    assert_eq!(s.client().call("older_lines", &[("topic", &wire), ("before_id", "1")]).await.status(), 403);
}

#[tokio::test]
async fn unread_counts_are_what_others_said_since_the_last_read() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let unread = |c: &crate::support::Client| {
        let c = c.clone();
        async move {
            let rooms: Vec<roomlink::rooms::RoomSummary> = c.json("my_rooms", &[]).await;
            rooms.iter().find(|r| r.id == room).map(|r| r.unread)
        }
    };
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;
    for i in 0..3 {
        a.say(room, &format!("a{i}"), "hello").await;
        a.message().await;
    }
    assert_eq!(unread(&bruno).await, Some(3));
    assert_eq!(unread(&ana).await, Some(0), "one's own messages are read");

    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    let mut last = 0;
    for _ in 0..3 {
        last = b.message().await.id;
    }
    b.send(&roomlink::live::ClientEvent::Read { topic: Topic::Room(room), up_to: last - 1 }).await;
    b.round_trip().await;
    assert_eq!(unread(&bruno).await, Some(1));
    b.send(&roomlink::live::ClientEvent::Read { topic: Topic::Room(room), up_to: last }).await;
    b.send(&roomlink::live::ClientEvent::Read { topic: Topic::Room(room), up_to: 1 }).await;
    b.round_trip().await;
    assert_eq!(unread(&bruno).await, Some(0), "reading never goes backwards");
}

#[tokio::test]
async fn joining_through_a_link_puts_a_line_in_the_timeline_live() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let mut a = ana.live().await;
    a.subscribe(room, 0).await;
    let bruno = s.user("bruno").await;
    let token = ana.invite(room).await;
    assert!(bruno.call("accept_invite", &[("token", &token)]).await.status().is_success());
    let line = a.line().await;
    assert_eq!((line.author_name.as_str(), line.kind, line.body.as_str()), ("bruno", roomlink::live::MessageKind::Joined, ""));
    // Accepting again (already a member) says nothing new.
    assert!(bruno.call("accept_invite", &[("token", &token)]).await.status().is_success());
    assert!(a.quiet_for(300).await.is_none());
    let rooms: Vec<roomlink::rooms::RoomSummary> = ana.json("my_rooms", &[]).await;
    assert_eq!(rooms[0].unread, 0, "system lines are not unread messages");
}
