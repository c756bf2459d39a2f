//! The node_bus's batched line announcements (issue 7), at the SQL level:
//! two doorbells on one PostgreSQL database, as two nodes have. Runs in the
//! PostgreSQL pass only (see [`crate::database`]).

use std::time::Duration;

use crate::test_database::postgres_base;

/// Lines of instant chats without history leave a node in batches
/// ([`roomlink::store::node_bus::NodeBus::announce_new_lines`]): two nodes'
/// batches over the same topics, in opposite orders, racing 40 times, never
/// wait for each other in a circle; every line gets its own id; each
/// topic's lines are heard in id order; a line's pieces come in order, together.
#[tokio::test]
async fn lines_announced_in_batches_keep_each_topics_order() {
    use roomlink::store::node_bus::NodeBus;
    use sqlx::{Connection, Executor};
    use std::collections::HashMap;
    if postgres_base().is_none() {
        eprintln!("skipped: set ROOMLINK_TEST_DATABASE_URL to run the multi-node tests");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = crate::test_database::fresh_database_url(dir.path()).await;
    let _migrated = roomlink::store::Store::open(&url).await.unwrap();
    let (a, b) = (NodeBus::connect(&url).await.unwrap(), NodeBus::connect(&url).await.unwrap());
    let mut listener = a.listener().await.unwrap();

    let piece = |s: &str| vec![s.to_string()];
    let (x, y, z) = ("chat:x", "chat:y", "chat:z");
    let mut sent: HashMap<i64, (&str, Vec<String>)> = HashMap::new();
    for round in 0..40 {
        let from_a = [(x, piece(&format!("a{round}-x"))), (y, vec![format!("a{round}-y-1/2"), format!("a{round}-y-2/2")]), (z, piece(&format!("a{round}-z")))];
        let from_b = [(z, piece(&format!("b{round}-z"))), (y, piece(&format!("b{round}-y"))), (x, piece(&format!("b{round}-x")))];
        let la: Vec<(&str, &[String])> = from_a.iter().map(|(t, p)| (*t, p.as_slice())).collect();
        let lb: Vec<(&str, &[String])> = from_b.iter().map(|(t, p)| (*t, p.as_slice())).collect();
        // In the first round a third connection holds the lock of y, the
        // topic both batches have in the middle, until both are waiting for
        // it: locks taken in each batch's own order would then deadlock.
        let mut blocker = sqlx::PgConnection::connect(&url).await.unwrap();
        if round == 0 {
            blocker.execute("BEGIN").await.unwrap();
            sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .bind(roomlink::store::node_bus::TOPIC_LOCK_CLASS)
                .bind(y)
                .execute(&mut blocker)
                .await
                .unwrap();
        }
        let release = async {
            if round == 0 {
                tokio::time::sleep(Duration::from_millis(300)).await;
                blocker.execute("COMMIT").await.unwrap();
            }
        };
        let both = async { tokio::join!(a.announce_new_lines(&la), b.announce_new_lines(&lb), release) };
        let (ids_a, ids_b, ()) = tokio::time::timeout(Duration::from_secs(10), both).await.expect("no two batches wait for each other for ever");
        for (ids, lines) in [(ids_a.unwrap(), from_a), (ids_b.unwrap(), from_b)] {
            assert_eq!(ids.len(), 3);
            for (id, (topic, pieces)) in ids.into_iter().zip(lines) {
                assert!(sent.insert(id, (topic, pieces)).is_none(), "id {id} given twice");
            }
        }
    }

    // Heard: "<id> <piece>" for every piece, in order.
    let expected: usize = sent.values().map(|(_, pieces)| pieces.len()).sum();
    let mut heard: Vec<(i64, String)> = Vec::new();
    while heard.len() < expected {
        let n = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await.expect("every piece is heard").unwrap();
        let (id, rest) = n.payload().split_once(' ').unwrap();
        heard.push((id.parse().unwrap(), rest.to_string()));
    }
    let mut last_of_topic: HashMap<&str, i64> = HashMap::new();
    let mut i = 0;
    while i < heard.len() {
        let id = heard[i].0;
        let (topic, pieces) = &sent[&id];
        let got: Vec<&str> = heard[i..i + pieces.len()].iter().map(|(pid, p)| { assert_eq!(*pid, id); p.as_str() }).collect();
        assert_eq!(got, pieces.iter().map(String::as_str).collect::<Vec<_>>(), "a line's pieces, in order and together");
        if let Some(before) = last_of_topic.insert(topic, id) {
            assert!(id > before, "{topic}: line {id} heard after {before}");
        }
        i += pieces.len();
    }
    assert_eq!(last_of_topic.len(), 3);
}
