//! Which database the tests run on (the store's own tests and the
//! integration tests alike). SQLite always: a fresh file per test.
//! PostgreSQL when `ROOMLINK_TEST_DATABASE_URL` names one
//! (`postgres://postgres@127.0.0.1:5432/test` in CI): each test then gets a
//! database of its own, created beside that one and dropped by a later run
//! once it is an hour old.

use std::{path::Path, time::{SystemTime, UNIX_EPOCH}};

use sqlx::{Connection, Executor, PgConnection};

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
