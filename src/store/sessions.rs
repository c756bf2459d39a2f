//! The session store on whichever database Roomlink runs on: tower-sessions'
//! SQLite or PostgreSQL store from `tower-sessions-sqlx-store`, behind one type
//! so that the router does not depend on the backend.
//!
//! On SQLite, one server owns the file, so sessions are read through a
//! bounded memory cache (tower-sessions' `CachingSessionStore` in front of a
//! `MokaStore` of [`crate::limits::SESSION_CACHE_ENTRIES`]): every write and
//! delete goes to both, and a request whose session is cached reads nothing
//! from the file (S5 in `crate::bench`). PostgreSQL nodes read the table
//! every time, so that a log-out on one node ends the session on all of them.

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    CachingSessionStore, SessionStore,
};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Sessions kept in the `tower_sessions` table of Roomlink's own database.
/// Cheap to clone (clones share the cache).
#[derive(Clone, Debug)]
pub enum Sessions {
    /// In the SQLite file, read through a memory cache.
    Sqlite {
        /// The cache in front of the file: what requests use.
        cached: CachingSessionStore<MokaStore, SqliteStore>,
        /// The file alone, for creating the table and deleting expired rows
        /// (cached entries expire by themselves).
        file: SqliteStore,
    },
    /// In the PostgreSQL database, so every node sees every session.
    Postgres(PostgresStore),
}

impl Sessions {
    pub(super) fn sqlite(pool: sqlx::SqlitePool) -> Sessions {
        let file = SqliteStore::new(pool);
        let cache = MokaStore::new(Some(crate::limits::SESSION_CACHE_ENTRIES));
        Sessions::Sqlite { cached: CachingSessionStore::new(cache, file.clone()), file }
    }

    pub(super) fn postgres(pool: sqlx::PgPool) -> Sessions {
        Sessions::Postgres(PostgresStore::new(pool))
    }

    /// Creates the session table if it is missing.
    pub(super) async fn migrate(&self) -> sqlx::Result<()> {
        match self {
            Sessions::Sqlite { file, .. } => file.migrate().await,
            Sessions::Postgres(s) => s.migrate().await,
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { cached: s, .. } => s.create(record).await,
            Sessions::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { cached: s, .. } => s.save(record).await,
            Sessions::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite { cached: s, .. } => s.load(id).await,
            Sessions::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { cached: s, .. } => s.delete(id).await,
            Sessions::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { file, .. } => file.delete_expired().await,
            Sessions::Postgres(s) => s.delete_expired().await,
        }
    }
}
