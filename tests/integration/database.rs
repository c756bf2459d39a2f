//! The tests run on the database the environment asks for
//! ([`crate::test_database`]).

use crate::test_database::postgres_base;
use roomlink::store::Backend;

/// The test servers really run on the database the environment asks for, so
/// a PostgreSQL pass cannot silently fall back to SQLite.
#[tokio::test]
async fn test_servers_run_on_the_requested_database() {
    let s = crate::support::TestServer::start().await;
    let expected = if postgres_base().is_some() { Backend::Postgres } else { Backend::Sqlite };
    assert_eq!(s.store.backend(), expected);
    let on_postgres: i64 = sqlx::query_scalar(if expected == Backend::Postgres {
        "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = 'invites'"
    } else {
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'invites'"
    })
    .fetch_one(s.store.pool())
    .await
    .unwrap();
    assert_eq!(on_postgres, 1);
}

#[test]
fn the_url_picks_the_backend_and_others_are_refused() {
    assert_eq!(Backend::of("sqlite://data/roomlink.db").ok(), Some(Backend::Sqlite));
    assert_eq!(Backend::of("postgres://u@h/db").ok(), Some(Backend::Postgres));
    assert_eq!(Backend::of("postgresql://u@h/db").ok(), Some(Backend::Postgres));
    let refused = Backend::of("mysql://root:hunter2@h/db").unwrap_err().to_string();
    assert!(refused.contains("use sqlite://") && !refused.contains("hunter2"), "{refused}");
}

#[test]
fn passwords_never_reach_messages() {
    assert_eq!(roomlink::store::redact("postgres://roomlink:s3cret@db:5432/rl"), "postgres://roomlink:***@db:5432/rl");
    assert_eq!(roomlink::store::redact("sqlite://data/roomlink.db"), "sqlite://data/roomlink.db");
}
