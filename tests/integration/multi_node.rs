//! Two Roomlink nodes as separate processes on one PostgreSQL database
//! (issue 7). Runs in the PostgreSQL pass only (see [`crate::database`]).
//!
//! Each node is this test binary again, running [`node_process`], which calls
//! the real [`roomlink::server::main`] with its settings from the environment, so
//! start-up, the bus and the SIGTERM handling are the production ones.

use std::{
    net::SocketAddr,
    process::{Child, Command},
    time::Duration,
};

use crate::support::{presence_of, Client, Live, TestServer};
use crate::test_database::postgres_base;
use roomlink::live::{ClientEvent, MessageKind, ServerEvent, Topic};

/// Set in a node process's environment.
const NODE_ENV: &str = "ROOMLINK_TEST_NODE";

/// Not a test of its own: the body of a node process started by the tests below.
#[test]
#[ignore = "runs as a node process of the multi-node test"]
fn node_process() {
    if std::env::var_os(NODE_ENV).is_none() {
        return;
    }
    let code = roomlink::server::main(roomlink::pages::site());
    std::process::exit(if code == std::process::ExitCode::SUCCESS { 0 } else { 1 });
}

/// One node: its process and address.
pub(crate) struct Node {
    child: Child,
    pub(crate) addr: SocketAddr,
    /// Where its stdout and stderr go.
    log: std::path::PathBuf,
}

impl Node {
    /// Starts a node on `database_url`, sharing `data_dir` and the secret
    /// with the others, and waits until it answers.
    async fn start(database_url: &str, data_dir: &std::path::Path, name: &str) -> Node {
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let log_path = data_dir.join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(std::env::current_exe().unwrap())
            .args(["--ignored", "--exact", "multi_node::node_process", "--nocapture", "--test-threads=1"])
            .env(NODE_ENV, name)
            .env("ROOMLINK_ADDRESS", addr.to_string())
            .env("DATABASE_URL", database_url)
            .env("ROOMLINK_DATA_DIR", data_dir)
            .env("ROOMLINK_SECRET", "multi-node-test-secret-of-at-least-32-bytes")
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        // Held from here, so a node that does not start is killed with the panic.
        let node = Node { child, addr, log: log_path };
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        for _ in 0..300 {
            if http.get(format!("http://{addr}/")).send().await.is_ok() {
                return node;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("node {name} did not start; see {}", node.log.display());
    }

    /// Waits for the process to end; panics with the end of its log when it
    /// is still running after `limit`.
    async fn exit_within(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
        panic!("node still running {limit:?} after SIGTERM; the end of its log:\n{}", tail.join("\n"));
    }

    /// Sends SIGTERM, as a service manager stopping the node does.
    fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The next event that is not presence (typing included), within 5 s.
async fn next_line(live: &mut Live) -> roomlink::live::ChatMessage {
    match live.next().await {
        ServerEvent::Message { message } => message,
        other => panic!("expected a line, got {other:?}"),
    }
}

/// Waits up to `ms` for an event matching `wanted`, skipping the rest.
pub(crate) async fn wait_for(live: &mut Live, ms: u64, wanted: impl Fn(&ServerEvent) -> bool) -> ServerEvent {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now()).as_millis() as u64;
        match live.quiet_any(left).await {
            Some(event) if wanted(&event) => return event,
            Some(_) => {}
            None => panic!("nothing matching within {ms} ms"),
        }
    }
}

fn online(author: i64, is: bool) -> impl Fn(&ServerEvent) -> bool {
    move |e| match e {
        ServerEvent::PresenceDiff { topic, .. } => presence_of(e, topic, author).is_some_and(|offline_at| offline_at.is_none() == is),
        _ => false,
    }
}

/// A database of its own (migrated by an in-process server first, whose
/// store the test reads), a shared data folder and two nodes on them; `None`
/// (skipped) without PostgreSQL.
async fn two_nodes() -> Option<(TestServer, tempfile::TempDir, Node, Node)> {
    if postgres_base().is_none() {
        eprintln!("skipped: set ROOMLINK_TEST_DATABASE_URL to run the multi-node tests");
        return None;
    }
    let fixture = TestServer::start().await;
    let url = fixture.settings.database_url.clone();
    let dir = tempfile::tempdir().unwrap();
    let a = Node::start(&url, dir.path(), "node-a").await;
    let b = Node::start(&url, dir.path(), "node-b").await;
    Some((fixture, dir, a, b))
}

#[tokio::test]
async fn two_nodes_on_postgres_are_one_roomlink() {
    let Some((fixture, _dir, a, b)) = two_nodes().await else { return };
    let started = std::time::Instant::now();
    // Shown with the output of a failure: how far the test got, and when.
    let step = |name: &str| eprintln!("[{} ms] {name}", started.elapsed().as_millis());

    // Ana on node A makes a room; Bruno and Carla join through node B.
    let on_a = fixture.client().at(a.addr);
    let ana = on_a.clone();
    signed_up(&ana, "ana").await;
    let room = ana.create_room("Across nodes").await;
    let topic = Topic::Room(room);
    let bruno = fixture.client().at(b.addr);
    let carla = fixture.client().at(b.addr);
    for (who, name) in [(&bruno, "bruno"), (&carla, "carla")] {
        signed_up(who, name).await;
        let r = who.call("accept_invite", &[("token", &ana.invite(room).await)]).await;
        assert!(r.status().is_success() || r.status().is_redirection(), "{name} accepts on node B: {}", r.status());
    }
    let (ana_id, bruno_id, carla_id) = (fixture.user_id("ana").await, fixture.user_id("bruno").await, fixture.user_id("carla").await);

    step("presence");
    // Presence across nodes: each sees the other come online.
    let mut la = ana.live().await;
    la.subscribe(room, 0).await;
    let mut lb = bruno.live().await;
    lb.subscribe(room, 0).await;
    wait_for(&mut la, 5_000, online(bruno_id, true)).await;
    let mut lc = carla.live().await;
    lc.subscribe(room, 0).await;
    wait_for(&mut la, 5_000, online(carla_id, true)).await;
    lb.drain(300).await;
    la.drain(300).await;

    step("typing");
    // Typing on B shows on A.
    lb.send(&ClientEvent::Typing { topic: topic.clone(), typing: true }).await;
    let typing = wait_for(&mut la, 5_000, |e| matches!(e, ServerEvent::TypingDiff { .. })).await;
    let ServerEvent::TypingDiff { started, stopped, .. } = typing else { unreachable!() };
    assert_eq!((started.iter().map(|t| t.author_id).collect::<Vec<_>>(), stopped), (vec![bruno_id], vec![]));

    step("messages both ways");
    // Messages both ways, ids from PostgreSQL in one order.
    la.say(room, "a1", "hello from A").await;
    let seen_on_b = next_line(&mut lb).await;
    assert_eq!((seen_on_b.body.as_str(), seen_on_b.author_id), ("hello from A", ana_id));
    assert_eq!(next_line(&mut la).await.id, seen_on_b.id, "Ana's own line comes back too");
    lb.say(room, "b1", "hi from B").await;
    let seen_on_a = next_line(&mut la).await;
    assert_eq!(seen_on_a.body, "hi from B");
    assert!(seen_on_a.id > seen_on_b.id);
    assert_eq!(next_line(&mut lb).await.id, seen_on_a.id);
    let _ = next_line(&mut lc).await;
    let _ = next_line(&mut lc).await;

    step("an edit and a deletion across nodes");
    // Bruno on B edits his line; Ana on A, the owner, deletes it: each
    // change reaches the other node in the room's id order.
    lb.send(&ClientEvent::Edit { topic: topic.clone(), client_id: "b1-edit".into(), target_id: seen_on_a.id, body: "hi from B!".into() })
        .await;
    let edit = next_line(&mut la).await;
    assert_eq!((edit.kind, edit.target_id, edit.body.as_str()), (MessageKind::Edit, Some(seen_on_a.id), "hi from B!"));
    assert!(edit.id > seen_on_a.id);
    la.send(&ClientEvent::Delete { topic: topic.clone(), client_id: "a-del".into(), target_id: seen_on_a.id }).await;
    let _ = next_line(&mut la).await;
    for live in [&mut lb, &mut lc] {
        wait_for(live, 5_000, |e| matches!(e, ServerEvent::Message { message } if message.id == edit.id)).await;
        let delete = next_line(live).await;
        assert_eq!((delete.kind, delete.target_id, delete.actor_name), (MessageKind::Delete, Some(seen_on_a.id), None));
    }

    step("a long line");
    // A long line (16 KB of JSON) goes by id; every node reads it from the tables.
    let long = format!("long {}", "😀".repeat(roomlink::limits::MESSAGE_MAX_CHARS - 5));
    lb.say(room, "b-long", &long).await;
    for live in [&mut la, &mut lb, &mut lc] {
        let event = wait_for(live, 5_000, |e| matches!(e, ServerEvent::Message { message } if message.client_id == "b-long")).await;
        let ServerEvent::Message { message } = event else { unreachable!() };
        assert_eq!((message.body.as_str(), message.author_id, message.topic.clone()), (long.as_str(), bruno_id, topic.clone()));
    }

    step("listeners dropped");
    // The nodes' listening connections drop: when they are back, tabs catch
    // up on what no notification brought (a line stored with none at all).
    let unannounced = fixture.store.messages().insert(room, bruno_id, "quiet-1", "stored while nobody listened", 1).await.unwrap().0;
    let dropped: Vec<i32> = sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(fixture.store.pool())
    .await
    .unwrap();
    assert!(dropped.len() >= 2, "one listening connection per node (and the in-process server's)");
    for pid in dropped {
        sqlx::query("SELECT 1 FROM pg_terminate_backend($1)").bind(pid).execute(fixture.store.pool()).await.unwrap();
    }
    for live in [&mut la, &mut lb] {
        let line = next_line(live).await;
        assert_eq!((line.id, line.body.as_str()), (unannounced.id, "stored while nobody listened"));
        assert!(live.quiet_for(500).await.is_none(), "once");
    }

    step("removal");
    // A removal on node A ends Carla's tab on node B.
    let r = ana.call("remove_member", &[("room_id", &room.to_string()), ("user_id", &carla_id.to_string())]).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "remove: {}", r.status());
    let ended = wait_for(&mut lc, 5_000, |e| matches!(e, ServerEvent::Ended { .. })).await;
    assert!(matches!(ended, ServerEvent::Ended { topic: t, .. } if t == topic));
    assert!(lc.closed().await, "Carla's socket on node B closes");

    step("node A dies");
    // Node A dies without a word: Bruno sees Ana go offline within 30 s.
    let mut a = a;
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let last_seen_by_ana = seen_on_a.id.max(seen_on_b.id);
    let died = std::time::Instant::now();
    wait_for(&mut lb, 30_000, online(ana_id, false)).await;
    eprintln!("node A's people went offline on node B after {} ms", died.elapsed().as_millis());
    for i in 1..=3 {
        lb.say(room, &format!("b-away-{i}"), &format!("while you were away {i}")).await;
    }

    step("reconnect to B");
    // Ana's tab reconnects to node B and catches up: every line once.
    let ana_on_b = ana.at(b.addr);
    let mut la = ana_on_b.live().await;
    la.subscribe(room, last_seen_by_ana).await;
    let mut caught_up = Vec::new();
    while let Some(event) = la.quiet_for(1_000).await {
        if let ServerEvent::Message { message } = event {
            caught_up.push(message.body);
        }
    }
    let away: Vec<&str> = caught_up.iter().map(String::as_str).filter(|b| b.starts_with("while you were away")).collect();
    assert_eq!(away, ["while you were away 1", "while you were away 2", "while you were away 3"], "{caught_up:?}");
    assert!(!caught_up.iter().any(|b| b == "hi from B" || b == "hello from A"), "nothing seen before comes twice: {caught_up:?}");

    step("SIGTERM on B");
    // SIGTERM on node B: its tabs are told "going away" (1001) and it exits cleanly.
    // A request still coming in (its body half sent) does not keep node B
    // running: it stops SHUTDOWN_REQUESTS_MS after its tabs are closed.
    let mut stalled = tokio::net::TcpStream::connect(b.addr).await.unwrap();
    let head = format!(
        "POST /api/sign_up HTTP/1.1\r\nHost: {0}\r\nOrigin: http://{0}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=",
        b.addr
    );
    tokio::io::AsyncWriteExt::write_all(&mut stalled, head.as_bytes()).await.unwrap();
    let mut b = b;
    b.terminate();
    assert_eq!(la.close_code(5_000).await, Some(1001));
    assert_eq!(lb.close_code(5_000).await, Some(1001));
    let status = b.exit_within(Duration::from_millis(roomlink::limits::SHUTDOWN_GRACE_MS + roomlink::limits::SHUTDOWN_REQUESTS_MS + 15_000)).await;
    assert!(status.success(), "node B exits with success after SIGTERM: {status}");
    drop(stalled);
    let _ = on_a;
}

/// An instant chat without history that Ana starts through `host`'s node
/// and Bruno joins as a guest through `guest`'s: its id and topic, and a
/// tab of each following it.
async fn chat_of_two(host: &Client, guest: &Client) -> (String, Topic, Live, Live) {
    let id = crate::instant::start(host, "", "Ana", false).await;
    assert!(crate::instant::join(guest, &id, "Bruno").await.0.is_success());
    let topic = Topic::Chat(id.clone());
    let mut la = host.live().await;
    la.subscribe(&topic, 0).await;
    let mut lb = guest.live().await;
    lb.subscribe(&topic, 0).await;
    (id, topic, la, lb)
}

/// The text lines among the next events until 1 s of quiet, in order.
async fn text_lines(live: &mut Live) -> Vec<(i64, String)> {
    let mut lines = Vec::new();
    while let Some(event) = live.quiet_for(1_000).await {
        if let ServerEvent::Message { message } = event {
            if message.kind == roomlink::live::MessageKind::Text {
                lines.push((message.id, message.body));
            }
        }
    }
    lines
}

#[tokio::test]
async fn a_chat_without_history_spans_nodes() {
    let Some((fixture, _dir, a, b)) = two_nodes().await else { return };

    // Ana hosts on node A; Bruno, a guest, joins through node B.
    let (host, guest) = (fixture.client().at(a.addr), fixture.client().at(b.addr));
    let (_, topic, mut la, mut lb) = chat_of_two(&host, &guest).await;

    la.say(&topic, "a1", "from A").await;
    let ServerEvent::Message { message: first } =
        wait_for(&mut lb, 5_000, |e| matches!(e, ServerEvent::Message { message } if message.body == "from A")).await
    else {
        unreachable!()
    };
    // Bruno's line is 16 KB of JSON: it crosses PostgreSQL in several notifications.
    let long = format!("from B {}", "😀".repeat(roomlink::limits::MESSAGE_MAX_CHARS - 7));
    lb.say(&topic, "b1", &long).await;
    let on_a = text_lines(&mut la).await;
    let mut on_b = vec![(first.id, first.body)];
    on_b.extend(text_lines(&mut lb).await);
    assert_eq!(on_a.iter().map(|l| l.1.as_str()).collect::<Vec<_>>(), ["from A", long.as_str()]);
    assert_eq!(on_a, on_b, "the same lines, ids and order on both nodes");
    assert!(on_a[0].0 < on_a[1].0);

    // Each node holds the other's line in memory: a reload on either catches up on both.
    for (who, node) in [(&host, "A"), (&guest, "B")] {
        let mut again = who.live().await;
        again.subscribe(&topic, 0).await;
        assert_eq!(text_lines(&mut again).await, on_a, "reload on node {node}");
    }
    assert_eq!(crate::instant::count(&fixture, "SELECT COUNT(*) FROM instant_messages").await, 0, "nothing stored");

    // The host on node A deletes Bruno's line: node B's tab is told, and
    // node B's memory keeps only the marker, for a reload there.
    let delete = ClientEvent::Delete { topic: topic.clone(), client_id: "a-del".into(), target_id: on_a[1].0 };
    la.send(&delete).await;
    let deleted = |e: &ServerEvent| matches!(e, ServerEvent::Message { message } if message.kind == MessageKind::Delete);
    wait_for(&mut lb, 5_000, deleted).await;
    let mut again = guest.live().await;
    again.subscribe(&topic, 0).await;
    assert_eq!(text_lines(&mut again).await, on_a[..1], "on node B the line is gone");
    drop((a, b));
}

/// The in-process server (whose state the test can reach) and one node
/// process on a database of their own, and the node's data folder; `None`
/// (skipped) without PostgreSQL.
pub(crate) async fn in_process_and_one_node() -> Option<(TestServer, tempfile::TempDir, Node)> {
    if postgres_base().is_none() {
        eprintln!("skipped: set ROOMLINK_TEST_DATABASE_URL to run the multi-node tests");
        return None;
    }
    let fixture = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = Node::start(&fixture.settings.database_url, dir.path(), "node-a").await;
    Some((fixture, dir, a))
}

/// A log-out on one node ends that session's tabs on another at once,
/// through the bus (the heartbeat's session re-read, every 30 s, is only
/// the fallback; this tab sends no heartbeat at all).
#[tokio::test]
async fn a_log_out_on_one_node_ends_that_sessions_tabs_on_another() {
    let Some((fixture, _dir, a)) = in_process_and_one_node().await else { return };
    let ana = fixture.user("ana").await;
    let room = ana.create_room("Two nodes").await;
    let mut on_a = ana.at(a.addr).live().await;
    assert_eq!(on_a.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
    assert!(ana.call("log_out", &[]).await.status().is_success());
    assert_eq!(
        wait_for(&mut on_a, 10_000, |e| matches!(e, ServerEvent::Ended { .. })).await,
        ServerEvent::Ended { topic: Topic::Room(room), reason: roomlink::error::Refusal::LoggedOut }
    );
    assert!(on_a.closed().await, "the tab on node A closes");
    drop(a);
}

/// A password changed through one node logs the account's other browsers
/// out, and ends their tabs on another node at once.
#[tokio::test]
async fn a_password_changed_on_one_node_ends_the_other_sessions_tabs_on_another() {
    let Some((fixture, _dir, a)) = in_process_and_one_node().await else { return };
    let ana = fixture.user("ana").await;
    let room = ana.create_room("Two nodes").await;
    let phone = fixture.client().at(a.addr);
    let r = phone.call("log_in", &[("username", "ana"), ("password", "correct horse")]).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let mut on_a = phone.live().await;
    assert_eq!(on_a.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
    let changed = ana.call("change_password", &[("current_password", "correct horse"), ("new_password", "another secret")]).await;
    assert!(changed.status().is_success(), "{}", changed.status());
    assert_eq!(
        wait_for(&mut on_a, 10_000, |e| matches!(e, ServerEvent::Ended { .. })).await,
        ServerEvent::Ended { topic: Topic::Room(room), reason: roomlink::error::Refusal::LoggedOut }
    );
    let who: Option<roomlink::accounts::CurrentUser> = phone.json("current_user", &[]).await;
    assert!(who.is_none(), "logged out on node A too");
    drop(a);
}

/// A node whose listening connection dropped gets back, from the other
/// node, the lines of a chat without history it no longer holds (no table
/// holds them): its tabs catch up on them, in order and once. The
/// in-process server is the node that lost them; its memory of the chat is
/// emptied before its listening connection is cut, as a node that was deaf
/// for those lines would be.
#[tokio::test]
async fn a_node_that_lost_its_bus_connection_gets_back_the_lines_of_chats_without_history() {
    let Some((fixture, _dir, a)) = in_process_and_one_node().await else { return };

    // Ana hosts on node A; Bruno, a guest, is on the in-process server.
    let (host, guest) = (fixture.client().at(a.addr), fixture.client());
    let (id, topic, mut la, mut lb) = chat_of_two(&host, &guest).await;
    la.say(&topic, "a1", "one").await;
    wait_for(&mut lb, 5_000, |e| matches!(e, ServerEvent::Message { message } if message.body == "one")).await;
    // Node A has heard from the in-process server, so that it is known there.
    lb.say(&topic, "b1", "two").await;
    wait_for(&mut la, 5_000, |e| matches!(e, ServerEvent::Message { message } if message.body == "two")).await;
    wait_for(&mut lb, 5_000, |e| matches!(e, ServerEvent::Message { message } if message.body == "two")).await;

    fixture.state.memory.forget(&id);
    let listener: i32 = sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'
         ORDER BY backend_start LIMIT 1",
    )
    .fetch_one(fixture.store.pool())
    .await
    .unwrap();
    sqlx::query("SELECT 1 FROM pg_terminate_backend($1)").bind(listener).execute(fixture.store.pool()).await.unwrap();
    la.say(&topic, "a2", "three").await;

    // Bruno's open tab gets the line sent after the drop, once.
    let ServerEvent::Message { message: three } =
        wait_for(&mut lb, 10_000, |e| matches!(e, ServerEvent::Message { message } if message.kind == roomlink::live::MessageKind::Text)).await
    else {
        unreachable!()
    };
    assert_eq!(three.body, "three");
    // A reload on the in-process server shows everything since Bruno
    // joined, sent back by node A, in order, once.
    let mut again = guest.live().await;
    again.subscribe(&topic, 0).await;
    let lines: Vec<String> = text_lines(&mut again).await.into_iter().map(|(_, body)| body).collect();
    assert_eq!(lines, ["one", "two", "three"]);
    assert_eq!(text_lines(&mut lb).await, Vec::new(), "nothing twice on the open tab");
    drop(a);
}

#[tokio::test]
async fn a_five_use_link_raced_through_two_nodes_makes_five_members() {
    let Some((fixture, _dir, a, b)) = two_nodes().await else { return };
    let owner = fixture.client().at(a.addr);
    signed_up(&owner, "owner").await;
    let room = owner.create_room("Five seats").await;
    let link: roomlink::invites::InviteLink =
        owner.json("create_invite", &[("room_id", &room.to_string()), ("max_uses", "5")]).await;
    let token = link.url.rsplit('/').next().unwrap().to_string();
    let mut watching = owner.live().await;
    watching.subscribe(room, 0).await;
    watching.drain(300).await;

    // A hundred people, each from an address of their own (joins are rate
    // limited per address), half on each node, open the link at once.
    let racers = futures::future::join_all((0..100u8).map(|i| {
        let node = if i % 2 == 0 { a.addr } else { b.addr };
        let who = fixture.client().at(node).from_ip(std::net::Ipv4Addr::new(127, 0, 1, i + 1).into());
        async move {
            signed_up(&who, &format!("racer_{i}")).await;
            who
        }
    }))
    .await;
    let answers = futures::future::join_all(racers.iter().map(|who| async {
        let r = who.call("accept_invite", &[("token", &token)]).await;
        (r.status(), r.text().await.unwrap())
    }))
    .await;

    let joined = answers.iter().filter(|(status, _)| status.is_success() || status.is_redirection()).count();
    let refused: Vec<_> = answers.iter().filter(|(status, _)| status.is_client_error()).collect();
    assert_eq!((joined, refused.len()), (5, 95), "{answers:?}");
    for (status, body) in refused {
        assert_eq!(status.as_u16(), 410);
        assert_eq!(serde_json::from_str::<roomlink::error::AppError>(body).unwrap(), roomlink::error::AppError::InviteUsedUp);
    }
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE room_id = $1 AND status = 'active'")
        .bind(room)
        .fetch_one(fixture.store.pool())
        .await
        .unwrap();
    assert_eq!(members, 6, "the owner and five");
    let uses: i64 = sqlx::query_scalar("SELECT uses FROM invites").fetch_one(fixture.store.pool()).await.unwrap();
    assert_eq!(uses, 5);

    // The owner, on node A, sees five "joined" lines, from both nodes, once each.
    let mut joins = Vec::new();
    while let Some(event) = watching.quiet_for(1_000).await {
        if let ServerEvent::Message { message } = event {
            if message.kind == roomlink::live::MessageKind::Joined {
                joins.push(message.author_id);
            }
        }
    }
    assert_eq!(joins.len(), 5, "{joins:?}");
    joins.sort_unstable();
    joins.dedup();
    assert_eq!(joins.len(), 5, "five different people: {joins:?}");
    drop((a, b));
}

/// Signs `client` up as `name` on whatever node it talks to.
async fn signed_up(client: &Client, name: &str) {
    let r = client.call("sign_up", &[("username", name), ("password", "correct horse"), ("next", "")]).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "sign up {name}: {}", r.status());
}
