//! The session store on whichever database Roomlink runs on: tower-sessions'
//! SQLite or PostgreSQL store from `tower-sessions-sqlx-store`, behind one type
//! so that the router does not depend on the backend.

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Sessions kept in the `tower_sessions` table of Roomlink's own database.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub enum Sessions {
    /// In the SQLite file.
    Sqlite(SqliteStore),
    /// In the PostgreSQL database, so every node sees every session.
    Postgres(PostgresStore),
}

impl Sessions {
    pub(super) fn sqlite(pool: sqlx::SqlitePool) -> Sessions {
        Sessions::Sqlite(SqliteStore::new(pool))
    }

    pub(super) fn postgres(pool: sqlx::PgPool) -> Sessions {
        Sessions::Postgres(PostgresStore::new(pool))
    }

    /// Creates the session table if it is missing.
    pub(super) async fn migrate(&self) -> sqlx::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.migrate().await,
            Sessions::Postgres(s) => s.migrate().await,
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.create(record).await,
            Sessions::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.save(record).await,
            Sessions::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite(s) => s.load(id).await,
            Sessions::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete(id).await,
            Sessions::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete_expired().await,
            Sessions::Postgres(s) => s.delete_expired().await,
        }
    }
}
