//! A smoke run of the load client, so that it keeps
//! working: a few tabs in two rooms on a real Roomlink server and on the
//! Socket.IO reference, a few messages (with and without typing indicators),
//! every delivery accounted for; member rooms whose lines are stored
//! before they go out (S3); and a few invite links accepted through the
//! real endpoint.

use std::time::Duration;

/// Roomlink's in-process test server, shared with its integration tests.
#[path = "../../tests/integration/support.rs"]
#[allow(dead_code, reason = "the integration tests use the rest")]
mod support;
/// A fresh database per test (the integration tests' own).
#[path = "../../src/store/test_database.rs"]
#[allow(dead_code, reason = "the integration tests use the rest")]
mod test_database;

use support::TestServer;
use roomlink_bench::{
    scenarios::{self, Held, Target},
    Peer,
};

/// Starts the Socket.IO reference (`bench/peers/socketio`) on `port`.
async fn socketio(port: u16) -> std::process::Child {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/socketio");
    let child = std::process::Command::new("node")
        .arg(format!("{dir}/server.js"))
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("node runs the Socket.IO reference (scripts/setup.sh --for-tests installs it)");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the Socket.IO reference did not start");
}

async fn every_message_reaches_every_member(target: Target) {
    let mut fleet = scenarios::open_fleet(target, 2, 3).await.unwrap();
    assert_eq!((fleet.tabs.len(), fleet.rooms()), (6, 2));
    let step = scenarios::drive(&fleet, 20.0, Duration::from_millis(500)).await;
    let sent = (step.sent_per_sec * 0.5).round();
    assert!(sent >= 9.0, "{step:?}");
    assert_eq!(step.missing, 0, "{step:?}");
    assert!((step.deliveries_per_sec - step.sent_per_sec * 3.0).abs() < 0.01, "{step:?}");
    assert!(step.p50_ms > 0.0 && step.p50_ms <= step.p99_ms, "{step:?}");
    // The recorder saw exactly three deliveries per message: no duplicates either.
    assert_eq!(fleet.recorder.deliveries() as f64, sent * 3.0);
    // Typing indicators are not counted as messages, and hold none back.
    let rounds = roomlink_bench::storm::typing_storm(&fleet, 20.0, Duration::from_millis(400), 2).await;
    assert_eq!(rounds.len(), 2);
    for (quiet, typing) in rounds {
        assert_eq!((quiet.missing, typing.missing), (0, 0), "{quiet:?} {typing:?}");
        assert!((typing.deliveries_per_sec - typing.sent_per_sec * 3.0).abs() < 0.01, "{typing:?}");
    }
    // Two of each room's three tabs drop and come back while messages keep coming.
    let storm = roomlink_bench::storm::reconnect_storm(&mut fleet, 10.0).await.unwrap();
    assert_eq!(storm.dropped, 4);
    if target.peer == Peer::Roomlink {
        // Caught up from the newest id each tab had: nothing lost, nothing twice.
        assert_eq!((storm.missing, storm.duplicates), (0, 0), "{storm:?}");
        assert!(storm.caught_up_secs.is_some(), "{storm:?}");
    }
    fleet.close().await;
}

#[tokio::test]
async fn the_load_client_drives_roomlink_and_socketio_alike() {
    let s = TestServer::start().await;
    every_message_reaches_every_member(Target { peer: Peer::Roomlink, server: s.addr, pid: None }).await;
    // A port nobody holds now (a fixed one met whatever else was on it).
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap();
    let mut node = socketio(port).await;
    let server = ([127, 0, 0, 1], port).into();
    every_message_reaches_every_member(Target { peer: Peer::SocketIo, server, pid: Some(node.id()) }).await;
    let _ = node.kill();
    let _ = node.wait();
}

#[tokio::test]
async fn the_load_client_accepts_invite_links_through_the_endpoint() {
    let s = TestServer::start().await;
    let joined = scenarios::joining(s.addr, 3, 2).await.unwrap();
    assert_eq!(joined.accepts, 6);
    // It returned once the owner had been sent every "joined" line, so no sooner than the last answer.
    assert!(joined.announced_per_sec > 0.0 && joined.announced_per_sec <= joined.accepts_per_sec, "{joined:?}");
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE role = 'member'")
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert_eq!(members, 6);
}

#[tokio::test]
async fn the_load_client_makes_member_rooms_whose_lines_are_stored_and_acknowledged() {
    let s = TestServer::start().await;
    let fleet = roomlink_bench::persisted::open_member_rooms(s.addr, 3, 4).await.unwrap();
    assert_eq!((fleet.tabs.len(), fleet.rooms()), (12, 3));
    let step = scenarios::drive(&fleet, 30.0, Duration::from_millis(500)).await;
    let sent = (step.sent_per_sec * 0.5).round();
    assert!(sent >= 14.0, "{step:?}");
    assert_eq!(step.missing, 0, "{step:?}");
    // Each message reached its room's four tabs, and came back to its sender once.
    assert_eq!(fleet.recorder.deliveries() as f64, sent * 4.0);
    assert_eq!(fleet.acks.deliveries() as f64, sent);
    assert!(step.ack_p99_ms > 0.0, "{step:?}");
    fleet.close().await;
    // Every one of them is in the database, in member rooms of four.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE kind = 'text'").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(stored as f64, sent);
    let sizes: Vec<i64> = sqlx::query_scalar("SELECT COUNT(*) FROM memberships GROUP BY room_id").fetch_all(s.store.pool()).await.unwrap();
    assert_eq!(sizes, vec![4, 4, 4]);
}

#[tokio::test]
async fn the_rising_search_tries_a_failed_rate_once_more_and_stops_after_it() {
    let s = TestServer::start().await;
    let fleet = scenarios::open_fleet(Target { peer: Peer::Roomlink, server: s.addr, pid: None }, 2, 3).await.unwrap();
    let step = Duration::from_millis(300);
    // Every rate holds a limit nobody misses: 10, 15 and 22.5 msg/s, once each.
    let steps = scenarios::fan_out(&fleet, 10.0, 30.0, step, 1e9, Held::Delivery).await;
    assert_eq!(steps.len(), 3, "{steps:?}");
    let best = scenarios::best(&steps, 1e9, Held::Delivery).unwrap();
    assert!(steps.iter().all(|s| s.deliveries_per_sec <= best.deliveries_per_sec && s.missing == 0), "{steps:?}");
    // A limit no step can hold: the first rate is tried twice, then the
    // search ends (there is no rate that held to narrow towards).
    let steps = scenarios::fan_out(&fleet, 10.0, 30.0, step, -1.0, Held::Delivery).await;
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(scenarios::best(&steps, -1.0, Held::Delivery).is_none());
    fleet.close().await;
}
