//! Many lines stored at once, as when every room is busy: on SQLite they go
//! through one writer in batches (`store::line_writer`), on PostgreSQL
//! straight in. Either way each is stored once, in id order, a retry is
//! new only once, and a line the database refuses fails alone.

use futures::future::join_all;

use super::database::fresh_database_url;
use crate::store::Store;

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
