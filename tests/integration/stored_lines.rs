//! Many lines stored at once, as when every room is busy: on SQLite they go
//! through one writer in batches (`store::group_commit`), on PostgreSQL
//! straight in. Either way each is stored once, in id order, a retry is
//! new only once, and a line the database refuses fails alone.

use futures::future::join_all;

use crate::test_database::fresh_database_url;
use roomlink::store::Store;

#[tokio::test]
async fn lines_sent_at_once_are_each_stored_once_and_a_bad_one_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&fresh_database_url(dir.path()).await).await.unwrap();
    let ana = store.users().create("ana", "not a real hash", 1).await.unwrap();
    let bruno = store.users().create("bruno", "not a real hash", 1).await.unwrap();
    let room = store.rooms().create("Busy", ana.id, 1).await.unwrap();

    let messages = store.messages();
    let lines = (0..300i64).map(|i| {
        let author = if i % 2 == 0 { ana.id } else { bruno.id };
        let (client_id, body) = (format!("c{i}"), format!("line {i}"));
        let messages = &messages;
        async move { messages.insert(room, author, &client_id, &body, 10 + i).await }
    });
    // Among them: Ana's first line sent twice, and a line to a room that does not exist.
    let retry = messages.insert(room, ana.id, "c0", "line 0 again", 5);
    let bad = messages.insert(room + 1_000, ana.id, "nowhere", "lost", 5);
    let (stored, retry, bad) = tokio::join!(join_all(lines), retry, bad);

    assert!(bad.is_err(), "a line to a missing room is refused: {bad:?}");
    let stored: Vec<_> = stored.into_iter().map(|r| r.unwrap()).collect();
    let (retry, retry_new) = retry.unwrap();
    let first = &stored[0];
    assert_eq!((retry.id, retry.body.as_str()), (first.0.id, first.0.body.as_str()), "the retry is the same line");
    assert!(retry_new != first.1, "exactly one of the two sends of c0 is new");
    for (i, (message, _)) in stored.iter().enumerate().skip(1) {
        assert_eq!((message.body.as_str(), message.client_id.as_str()), (format!("line {i}").as_str(), format!("c{i}").as_str()));
        assert_eq!(message.author_name, if i % 2 == 0 { "ana" } else { "bruno" });
    }
    assert!(stored.iter().skip(1).all(|(_, new)| *new));

    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM messages ORDER BY id").fetch_all(store.pool()).await.unwrap();
    assert_eq!(ids.len(), 300, "each line once, the bad one not at all");
    let mut returned: Vec<i64> = stored.iter().map(|(m, _)| m.id).collect();
    returned.sort_unstable();
    assert_eq!(returned, ids);
    // Catch-up reads them back in id order.
    let back = store.messages().after(room, 0, 1_000).await.unwrap();
    assert_eq!(back.iter().map(|m| m.id).collect::<Vec<_>>(), ids);
}

/// A member's own line is checked where it is stored, in the same batch as
/// everyone else's: the owner and a member get in, a muted member and a
/// stranger are refused with their reason, and an unmute lets the muted
/// member in again.
#[tokio::test]
async fn members_lines_are_checked_where_they_are_stored() {
    use roomlink::store::{Accepted, NewInvite, StoreError, WriteRefusal};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&fresh_database_url(dir.path()).await).await.unwrap();
    let users = store.users();
    let (ana, bruno) = (users.create("ana", "x", 1).await.unwrap(), users.create("bruno", "x", 1).await.unwrap());
    let (carla, dario) = (users.create("carla", "x", 1).await.unwrap(), users.create("dario", "x", 1).await.unwrap());
    let room = store.rooms().create("Checked", ana.id, 1).await.unwrap();
    let invite = NewInvite {
        room_id: room,
        token_hash: "link",
        created_by: ana.id,
        now_ms: 1,
        expires_at_ms: None,
        max_uses: None,
        label: "",
        role: roomlink::rooms::Role::Member,
        needs_approval: false,
    };
    store.invites().create(invite).await.unwrap();
    for who in [bruno.id, carla.id] {
        assert!(matches!(store.invites().accept("link", who, 2).await.unwrap(), Accepted::Joined { .. }));
    }
    assert!(store.rooms().set_can_write(room, carla.id, false).await.unwrap(), "carla is muted");

    let m = store.messages();
    let (owner, member, muted, stranger) = tokio::join!(
        m.insert_as_member(room, ana.id, "a1", "from the owner", 10),
        m.insert_as_member(room, bruno.id, "b1", "from a member", 11),
        m.insert_as_member(room, carla.id, "c1", "while muted", 12),
        m.insert_as_member(room, dario.id, "d1", "from outside", 13),
    );
    assert!(owner.is_ok_and(|(_, new)| new));
    assert!(member.is_ok_and(|(_, new)| new));
    assert!(matches!(muted, Err(StoreError::NotAllowed(WriteRefusal::Muted))), "{muted:?}");
    assert!(matches!(stranger, Err(StoreError::NotAllowed(WriteRefusal::NotMember))), "{stranger:?}");

    store.rooms().set_can_write(room, carla.id, true).await.unwrap();
    assert!(m.insert_as_member(room, carla.id, "c2", "unmuted", 14).await.is_ok_and(|(_, new)| new));
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM messages ORDER BY body").fetch_all(store.pool()).await.unwrap();
    assert_eq!(bodies, ["from a member", "from the owner", "unmuted"], "nothing refused was stored");
}

/// Lines sent to one room at once take their ids one at a time but share
/// the writer's commits (on SQLite), and go out live in id order: with the
/// room's lock held until each commit, 30 lines took 30 commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_busy_rooms_lines_share_commits_and_go_out_in_id_order() {
    use std::sync::Arc;

    use roomlink::live::{
        hub::Hub,
        timeline::{memory::MemoryLines, NewLine, Timeline},
        Topic,
    };
    const LINES: usize = 30;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&fresh_database_url(dir.path()).await).await.unwrap();
    let ana = store.users().create("ana", "not a real hash", 1).await.unwrap();
    let room = store.rooms().create("Busy", ana.id, 1).await.unwrap();
    let hub = Arc::new(Hub::new());
    let memory = Arc::new(MemoryLines::new());
    let topic = Topic::Room(room);
    let mut live = hub.subscribe(&topic);

    // Another writer holds the database while the lines come in, so they
    // wait together (on PostgreSQL, where lines are stored straight away,
    // this only holds them back).
    let holder = roomlink::store::begin_write(store.pool()).await.unwrap();
    let commits_before = store.writer_commits();
    let sends: Vec<_> = (0..LINES)
        .map(|i| {
            let (store, hub, memory) = (store.clone(), hub.clone(), memory.clone());
            tokio::spawn(async move {
                let line = NewLine::RoomJoined { room_id: room, user_id: ana.id, via: None };
                Timeline::new(&hub, &store, &memory).post(line, &format!("c{i}")).await
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(holder);
    let mut ids = Vec::new();
    for send in sends {
        let (message, new) = send.await.unwrap().unwrap();
        assert!(new);
        ids.push(message.id);
    }

    let mut published = Vec::new();
    while let Ok(event) = live.try_recv() {
        published.extend(event.line_id());
    }
    ids.sort_unstable();
    assert_eq!(published, ids, "every line published once, in id order");
    if store.backend() == roomlink::store::Backend::Sqlite {
        let commits = store.writer_commits() - commits_before;
        assert!(commits <= 3, "{LINES} lines of one room took {commits} commits");
    }
}

/// A server that stops waits for lines whose senders were answered before
/// the commit (a "joined" line): on SQLite, `settle_writes` returns only
/// once every line queued before it is saved, even when nobody awaits those
/// lines any more and another writer holds the database meanwhile. On
/// PostgreSQL a line is stored before queueing returns.
#[tokio::test]
async fn settling_writes_waits_until_every_queued_line_is_saved() {
    const LINES: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&fresh_database_url(dir.path()).await).await.unwrap();
    let ana = store.users().create("ana", "not a real hash", 1).await.unwrap();
    let room = store.rooms().create("Closing", ana.id, 1).await.unwrap();
    let sqlite = store.backend() == roomlink::store::Backend::Sqlite;

    // On PostgreSQL the holder would hold the lines back inside `queue_joined` itself.
    let holder = if sqlite { Some(roomlink::store::begin_write(store.pool()).await.unwrap()) } else { None };
    let queued = (0..LINES).map(|i| {
        let messages = store.messages();
        async move { messages.queue_joined(room, ana.id, None, &format!("j{i}"), i as i64).await }
    });
    drop(join_all(queued).await); // nobody waits for them, as when their tasks end with the runtime
    let settling = tokio::spawn({
        let store = store.clone();
        async move { store.settle_writes().await }
    });
    if let Some(holder) = holder {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!settling.is_finished(), "settled while the lines still waited for the database");
        drop(holder);
    }
    settling.await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(store.pool()).await.unwrap();
    assert_eq!(count, LINES as i64, "every queued line was saved before settling returned");
}

/// On SQLite every connection commits with `synchronous = FULL` (2): an
/// acknowledged line is on disk, not only in the WAL's page cache, and
/// survives a power cut. Sessions' connections too.
#[tokio::test]
async fn sqlite_commits_are_on_disk_before_they_are_answered() {
    let s = crate::support::TestServer::start().await;
    if s.store.backend() != roomlink::store::Backend::Sqlite {
        return; // PostgreSQL's own durability (synchronous_commit on) applies.
    }
    for _ in 0..4 {
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(s.store.pool()).await.unwrap();
        assert_eq!(level, 2, "synchronous = FULL");
    }
    // A member joining is answered only once their "joined" line is committed.
    let ana = s.user("ana").await;
    let room = ana.create_room("Durable").await;
    let token = ana.invite(room).await;
    let bruno = s.user("bruno").await;
    assert!(bruno.call("accept_invite", &[("token", &token)]).await.status().is_success());
    let joined: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE kind = 'joined'").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(joined, 1);
}
