//! The store: every SQL statement Roomlink runs, one type per subject.
//!
//! Pages, server functions and the live layer call methods here and never see
//! a connection. One set of SQL serves both databases through sqlx's `Any`
//! driver: SQLite (the embedded default, one server) and PostgreSQL (several
//! nodes, issue 7). Queries are checked at run time (`sqlx::query_as` with
//! `FromRow`) and use numbered `$1` parameters, which both understand. Yes/no
//! columns are integers 0/1 on both, because `Any` has no boolean for SQLite;
//! rows read them through [`Flag`].
//!
//! SQLite runs in WAL mode with a busy timeout. Transactions that read before
//! they write start with [`begin_write`]: `BEGIN IMMEDIATE` on SQLite, so that
//! two writers queue instead of failing with `SQLITE_BUSY` half-way (see
//! <https://sqlite.org/lang_transaction.html>); on PostgreSQL a transaction
//! that first takes one transaction-level advisory lock, so those
//! transactions run one at a time across every node, as on SQLite (see
//! <https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS>).

mod attachments;
mod codec;
pub mod doorbell;
mod group_commit;
mod instant_chats;
mod instant_lines;
mod invite_accepts;
mod invites;
mod messages;
mod rooms;
mod sessions;
mod spaces;
mod users;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Any, AnyPool, Transaction,
};

pub use attachments::{AttachmentRow, Attachments, NewAttachment, StoredFile};
pub use codec::Flag;
pub use instant_chats::{ChatRow, InstantChats, JoinRefusal, NewParticipant, ParticipantRow, Swept};
pub use instant_lines::{tag_of, InstantFileRow, InstantLines};
pub use invites::{Accepted, InviteRow, Invites, NewInvite};
use group_commit::GroupCommit;
pub use messages::{Messages, Queued};
pub use rooms::{MembershipEnd, Rooms};
pub use sessions::Sessions;
pub use spaces::{LanguageInviteRow, LanguageRevoke, SpaceAccepted, Spaces};
pub use users::{UserRow, Users};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the text names it (e.g. `"username"`).
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The database could not be opened or migrated.
    #[error("could not open the database: {0}")]
    Open(String),
    /// A line a member sends was not stored: they may not write there now
    /// (checked where the line is stored, see [`Messages::insert_as_member`]).
    #[error("not allowed to send here: {0:?}")]
    NotAllowed(WriteRefusal),
    /// Any other database fault.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Why a member's line was refused ([`StoreError::NotAllowed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRefusal {
    /// An owner or moderator muted them in this room.
    Muted,
    /// They are not an active member of the room (never were, left, were
    /// removed or banned).
    NotMember,
}

/// Which database a [`Store`] runs on, from its URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://path/to/file.db`: one server, the default.
    Sqlite,
    /// `postgres://user@host:port/db` (or `postgresql://`): one or more nodes.
    Postgres,
}

impl Backend {
    /// The backend a database URL names. Errors: [`StoreError::Open`] for any
    /// other scheme.
    pub fn of(database_url: &str) -> Result<Backend, StoreError> {
        match database_url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::Open(format!(
                "unsupported database URL {:?}: use sqlite://path/to/file.db or postgres://user@host/database",
                redact(database_url)
            ))),
        }
    }
}

/// Most connections one server keeps to SQLite (one writes at a time anyway).
const SQLITE_POOL: u32 = 8;
/// Most connections one node keeps to PostgreSQL.
const POSTGRES_POOL: u32 = 16;
/// The key of the advisory lock [`begin_write`] takes on PostgreSQL
/// ("RL" "wr" in ASCII).
const WRITE_LOCK_KEY: i64 = 0x524c_7772;

/// The handle to Roomlink's database. Cheap to clone (it wraps pools).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    sessions: Sessions,
    /// On SQLite: the one writer that stores room lines and invite accepts
    /// in shared transactions.
    writer: Option<GroupCommit>,
}

impl Store {
    /// Opens the database at `database_url` and runs pending migrations
    /// (`migrations/sqlite` or `migrations/postgres`).
    ///
    /// SQLite (`sqlite://path/to/file.db`): the file and its parent folder are
    /// created if missing. PostgreSQL (`postgres://...`): the database must
    /// exist. Errors: [`StoreError::Open`] when the URL is neither, the
    /// database cannot be reached or created, or a migration fails. The
    /// message never includes a password.
    pub async fn open(database_url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let backend = Backend::of(database_url)?;
        let fail = |e: &dyn std::fmt::Display| StoreError::Open(format!("{}: {e}", redact(database_url)));
        let sessions = match backend {
            Backend::Sqlite => Sessions::sqlite(open_sqlite_native(database_url).await?),
            Backend::Postgres => Sessions::postgres(
                PgPoolOptions::new().max_connections(4).connect(database_url).await.map_err(|e| fail(&e))?,
            ),
        };
        let pool = match backend {
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(SQLITE_POOL)
                // A connection to a file cannot go stale; sqlx's check before
                // each use is a round trip to the connection's thread.
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // The driver's defaults already turn foreign keys on and wait
                        // 5 s for locks; WAL is kept in the file. NORMAL is safe in
                        // WAL mode and saves an fsync per commit.
                        sqlx::Executor::execute(&mut *conn, "PRAGMA synchronous = NORMAL").await.map(|_| ())
                    })
                })
                .connect(database_url)
                .await
                .map_err(|e| fail(&e))?,
            Backend::Postgres => {
                AnyPoolOptions::new().max_connections(POSTGRES_POOL).connect(database_url).await.map_err(|e| fail(&e))?
            }
        };
        let migrated = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await,
        };
        migrated.map_err(|e| StoreError::Open(format!("migration failed: {e}")))?;
        // Nodes starting together must not create the session table twice at once.
        let mut lock = pool.acquire().await?;
        if backend == Backend::Postgres {
            sqlx::query("SELECT 1 FROM pg_advisory_lock($1)").bind(WRITE_LOCK_KEY).execute(&mut *lock).await?;
        }
        let made = sessions.migrate().await;
        if backend == Backend::Postgres {
            sqlx::query("SELECT 1 FROM pg_advisory_unlock($1)").bind(WRITE_LOCK_KEY).execute(&mut *lock).await?;
        }
        made.map_err(|e| StoreError::Open(format!("session table: {e}")))?;
        let writer = (backend == Backend::Sqlite).then(|| GroupCommit::start(pool.clone()));
        Ok(Store { pool, backend, sessions, writer })
    }

    /// The pool, for tests and benchmarks that look at tables directly.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Transactions SQLite's group commit writer has committed so far
    /// ([`group_commit`]); 0 with no writer (PostgreSQL). For tests and
    /// benchmarks that check how lines share commits.
    pub fn writer_commits(&self) -> u64 {
        self.writer.as_ref().map_or(0, GroupCommit::commits)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The session store on the same database (tower-sessions keeps its own table).
    pub fn sessions(&self) -> Sessions {
        self.sessions.clone()
    }

    /// Images and voice messages posted to rooms.
    pub fn attachments(&self) -> Attachments<'_> {
        Attachments::new(&self.pool)
    }

    /// Users and their password hashes.
    pub fn users(&self) -> Users<'_> {
        Users::new(&self.pool)
    }

    /// Rooms and memberships.
    pub fn rooms(&self) -> Rooms<'_> {
        Rooms::new(&self.pool)
    }

    /// Invite links.
    pub fn invites(&self) -> Invites<'_> {
        Invites::new(&self.pool, self.writer.as_ref())
    }

    /// Teacher spaces and language invites.
    pub fn spaces(&self) -> Spaces<'_> {
        Spaces::new(&self.pool)
    }

    /// Chat messages.
    pub fn messages(&self) -> Messages<'_> {
        Messages::new(&self.pool, self.writer.as_ref())
    }

    /// Instant chats and their participants.
    pub fn instant_chats(&self) -> InstantChats<'_> {
        InstantChats::new(&self.pool)
    }

    /// Stored lines of instant chats that keep history.
    pub fn instant_lines(&self) -> InstantLines<'_> {
        InstantLines::new(&self.pool)
    }
}

/// Opens SQLite natively, creating the file (and its folder) and switching it
/// to WAL, which persists in the file. The session store uses this pool.
async fn open_sqlite_native(database_url: &str) -> Result<sqlx::SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(database_url)
        .map_err(|e| StoreError::Open(format!("{database_url}: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    if let Some(parent) = Path::new(options.get_filename()).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open(format!("{}: {e}", parent.display())))?;
        }
    }
    SqlitePoolOptions::new().max_connections(2).test_before_acquire(false).connect_with(options).await.map_err(|e| StoreError::Open(e.to_string()))
}

/// How a statement built at run time (a multi-row `INSERT`, a `VALUES`
/// list) names its parameters on a connection.
///
/// PostgreSQL numbers them (`$1`, `$2`…). On SQLite they are left unnamed
/// (`?`) and bound in the order they appear, so such a statement must use
/// each parameter once, in order. Why: sqlx binds each SQLite parameter by
/// asking its name (`sqlite3_bind_parameter_name`, sqlx-sqlite 0.8
/// `arguments.rs`), and SQLite finds a name by walking the statement's list
/// of names (`sqlite3VListNumToName`), so binding `n` numbered parameters
/// takes `n²` steps; the group commit writer's statements bind up to 2,048.
/// `perf` put that walk at 4% of the server core under S3 (`crate::bench`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Params {
    /// `$k`: PostgreSQL.
    Numbered,
    /// `?`: SQLite.
    InOrder,
}

impl Params {
    /// The style `conn`'s database takes.
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Params {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") { Params::InOrder } else { Params::Numbered }
    }

    /// The placeholder of parameter `k` (counted from 1).
    pub(crate) fn nth(self, k: usize) -> String {
        match self {
            Params::Numbered => format!("${k}"),
            Params::InOrder => "?".to_owned(),
        }
    }

    /// A `VALUES` list of `rows` rows of `width` parameters each, numbered
    /// row by row from 1: `($1, $2), ($3, $4)` or `(?, ?), (?, ?)`.
    pub(crate) fn rows(self, rows: usize, width: usize) -> String {
        (0..rows)
            .map(|row| format!("({})", (1..=width).map(|k| self.nth(row * width + k)).collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Starts a transaction that reads and then writes, serialised with every
/// other such transaction (see the module documentation): `BEGIN IMMEDIATE` on
/// SQLite, `BEGIN` plus a transaction-level advisory lock on PostgreSQL.
///
/// On SQLite, writers of this process first queue for the file's turn
/// ([`write_turn`]), so that `BEGIN IMMEDIATE` finds the lock free instead of
/// sleeping in SQLite's busy handler (1, 2, 5, 10… ms between tries, see
/// `sqliteDefaultBusyCallback`), which capped invite accepts (S5 in `crate::bench`).
pub(crate) async fn begin_write(pool: &AnyPool) -> Result<WriteTx, sqlx::Error> {
    let url = &pool.connect_options().database_url;
    if url.scheme() == "sqlite" {
        let turn = write_turn(url.as_str()).lock_owned().await;
        let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        return Ok(WriteTx { tx, _turn: Some(turn) });
    }
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(WRITE_LOCK_KEY).execute(&mut *tx).await?;
    Ok(WriteTx { tx, _turn: None })
}

/// The queue of this process's writers to the SQLite file at `url`: one per
/// file, because SQLite's write lock is one per file, whichever pool asks.
/// Kept for the life of the process (one small entry per database opened).
/// Another process writing the same file still meets SQLite's busy handler.
fn write_turn(url: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static TURNS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>> =
        std::sync::LazyLock::new(Default::default);
    let mut turns = TURNS.lock().unwrap_or_else(|p| p.into_inner());
    turns.entry(url.to_owned()).or_default().clone()
}

/// A transaction from [`begin_write`]; on SQLite it holds this process's
/// write turn until it commits or is dropped (which rolls it back). Use it
/// as a connection (`&mut *tx`).
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commits the transaction, then lets the next writer in.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// True when `err` is a violation of a UNIQUE constraint.
fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statements built at run time leave their parameters unnamed on
    /// SQLite (bound in order, without sqlx's lookup by name) and number
    /// them on PostgreSQL, on the database the tests run on.
    #[tokio::test]
    async fn run_time_statements_name_parameters_as_their_database_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&crate::tests::database::fresh_database_url(dir.path()).await).await.unwrap();
        let conn = store.pool().acquire().await.unwrap();
        let params = Params::of(&conn);
        match store.backend() {
            Backend::Sqlite => assert_eq!((params, params.nth(3)), (Params::InOrder, "?".to_owned())),
            Backend::Postgres => assert_eq!((params, params.nth(3)), (Params::Numbered, "$3".to_owned())),
        }
        assert_eq!(Params::Numbered.rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(Params::InOrder.rows(2, 2), "(?, ?), (?, ?)");
    }
}
