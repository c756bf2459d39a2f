//! Which database the tests run on. SQLite always: a fresh file per test.
//! PostgreSQL when `ROOMLINK_TEST_DATABASE_URL` names one
//! (`postgres://postgres@127.0.0.1:5432/test` in CI): each test then gets a
//! database of its own, created beside that one and dropped by a later run
//! once it is an hour old.

use std::{path::Path, time::{SystemTime, UNIX_EPOCH}};

use sqlx::{Connection, Executor, PgConnection};

use crate::store::Backend;

/// The environment variable naming the PostgreSQL database to create test
/// databases from; unset means SQLite.
pub const POSTGRES_ENV: &str = "ROOMLINK_TEST_DATABASE_URL";

/// Prefix of the databases tests create, so old ones can be found and dropped.
const PREFIX: &str = "roomlink_test_";

/// The PostgreSQL URL tests should create their databases from, if any.
pub fn postgres_base() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty())
}

/// A database URL for one test: a new SQLite file in `dir`, or a new
/// PostgreSQL database when [`POSTGRES_ENV`] is set.
pub async fn fresh_database_url(dir: &Path) -> String {
    match postgres_base() {
        None => format!("sqlite://{}", dir.join("roomlink.db").display()),
        Some(base) => fresh_postgres(&base).await,
    }
}

async fn fresh_postgres(base: &str) -> String {
    let mut admin = PgConnection::connect(base).await.unwrap_or_else(|e| panic!("{POSTGRES_ENV}: {e}"));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let stale: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1")
        .bind(format!("{PREFIX}%"))
        .fetch_all(&mut admin)
        .await
        .unwrap();
    for name in stale {
        let born: u64 = name.trim_start_matches(PREFIX).split('_').next().and_then(|t| t.parse().ok()).unwrap_or(now);
        if born + 3600 < now {
            let _ = admin.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
        }
    }
    let name = format!("{PREFIX}{now}_{:016x}", rand::random::<u64>());
    admin.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.unwrap();
    let mut url = url::Url::parse(base).unwrap();
    url.set_path(&name);
    url.to_string()
}

/// The test servers really run on the database the environment asks for, so
/// a PostgreSQL pass cannot silently fall back to SQLite.
#[tokio::test]
async fn test_servers_run_on_the_requested_database() {
    let s = super::support::TestServer::start().await;
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
    assert_eq!(crate::store::redact("postgres://roomlink:s3cret@db:5432/rl"), "postgres://roomlink:***@db:5432/rl");
    assert_eq!(crate::store::redact("sqlite://data/roomlink.db"), "sqlite://data/roomlink.db");
}
