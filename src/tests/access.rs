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
