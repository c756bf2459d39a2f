//! Access that ends at once: heartbeats answered, log-outs closing the
//! session's sockets, rights read again wherever a socket resumes.

use super::support::{club, TestServer};
use crate::live::{socket::LOGGED_OUT, ClientEvent, ServerEvent, Topic};

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
        ServerEvent::Ended { topic: Topic::Room(room), reason: LOGGED_OUT.into() },
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
    let (ana, bruno, room) = club(&s).await;
    let bruno_id = s.user_id("bruno").await;
    let mut a = ana.live().await;
    let mut b = bruno.live().await;
    for live in [&mut a, &mut b] {
        live.subscribe(room, 0).await;
        live.drain(200).await;
    }
    // The ban commits, but its notice to bruno's tab is lost: his tab falls
    // behind the room's channel (the test's runtime runs one task at a
    // time, so nothing is read while these go in) and the notice with it.
    let now = crate::server::now_ms();
    let banned = s.store.rooms().end_membership(room, bruno_id, crate::store::MembershipEnd::Banned, None, now).await.unwrap();
    assert!(banned);
    let filler = crate::live::hub::encode(&ServerEvent::Pong);
    for _ in 0..300 {
        s.hub.deliver(&Topic::Room(room), crate::live::hub::HubEvent::new(filler.clone()));
    }
    assert_eq!(
        b.next().await,
        ServerEvent::Ended { topic: Topic::Room(room), reason: crate::live::socket::NO_LONGER_MEMBER.into() },
        "resuming, the tab reads its rights again"
    );
    a.say(room, "a1", "after the ban").await;
    assert_eq!(a.message().await.body, "after the ban");
    assert!(b.closed().await, "his only topic ended, so his socket closes");
}

#[tokio::test]
async fn the_store_refuses_a_line_from_a_guest_who_left_whatever_their_socket_believes() {
    let (s, _host, bruno, id) = super::instant::ana_and_bruno(true).await;
    let me = super::instant::page(&bruno, &id).await.me.expect("bruno is in the chat");
    let lines = s.store.instant_lines();
    let now = crate::server::now_ms();
    let (_, stored) = lines.insert(&id, me.id, crate::live::MessageKind::Text, "before", "still here", now).await.unwrap();
    assert!(stored);
    assert!(bruno.call("leave_instant_chat", &[("id", &id)]).await.status().is_success());
    let late = lines.insert(&id, me.id, crate::live::MessageKind::Text, "after", "gone but talking", now).await;
    assert!(
        matches!(late, Err(crate::store::StoreError::NotAllowed(crate::store::WriteRefusal::LeftChat))),
        "{late:?}"
    );
    // A retry of a line stored before leaving still answers with that line.
    let (again, stored) = lines.insert(&id, me.id, crate::live::MessageKind::Text, "before", "still here", now).await.unwrap();
    assert!(!stored);
    assert_eq!(again.body, "still here");
}

#[tokio::test]
async fn a_socket_sending_past_its_budget_is_refused_with_a_reason_and_nothing_more_is_stored() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let mut a = ana.live().await;
    let mut b = bruno.live().await;
    for live in [&mut a, &mut b] {
        live.subscribe(room, 0).await;
        live.drain(200).await;
    }
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
                assert_eq!(reason, crate::live::socket::TOO_FAST);
                refused += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(stored >= crate::limits::LIVE_LINES_BURST as usize, "a burst goes through: {stored}");
    assert!(refused > 0, "the flood hits a wall");
    let in_db: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE kind = 'text'").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(in_db as usize, stored, "nothing refused is stored");
    // Another person's socket has its own budget.
    b.say(room, "b1", "my turn").await;
    while b.message().await.body != "my turn" {}
}
