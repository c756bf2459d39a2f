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

mod account_deletion;
mod account_export;
mod account_sessions;
mod attachments;
mod chat_lookups;
mod checkpoint;
mod email_tokens;
pub mod node_bus;
mod group_commit;
mod instant_chats;
mod instant_line_deletions;
mod instant_lines;
mod instant_moderation;
mod invite_accepts;
mod invites;
mod join_requests;
mod message_changes;
mod message_inserts;
mod messages;
mod params;
mod recovery_codes;
mod room_lifecycle;
mod rooms;
mod sessions;
mod spaces;
#[cfg(test)]
pub(crate) mod test_database;
mod users;
mod write_transactions;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    AnyPool,
};

pub use account_deletion::{AccountDeletion, Deleted};
pub use email_tokens::{Confirmed, EmailLink, EmailPurpose, EmailTokens};
pub use account_export::{AccountExport, ExportedAccount, ExportedInvite, ExportedMembership, ExportedMessage};
pub use account_sessions::{AccountSessionRow, AccountSessions, NewAccountSession};
pub use recovery_codes::RecoveryCodes;
pub use attachments::{AttachmentRow, Attachments, NewAttachment, StoredFile};
pub use crate::types::columns::Flag;
pub use instant_chats::{ChatRow, InstantChats, JoinRefusal, NewParticipant, ParticipantRow, Swept};
pub use instant_lines::{tag_of, InstantFileRow, InstantLines};
pub use invites::{Accepted, InviteRow, Invites, NewInvite};
pub use join_requests::JoinRequests;
use chat_lookups::ChatLookups;
use group_commit::GroupCommit;
pub use message_changes::{Change, Changed};
pub use messages::{Messages, Queued};
pub(crate) use params::Params;
pub use room_lifecycle::HandOverRefusal;
pub use rooms::{MembershipEnd, Rooms};
pub use sessions::Sessions;
pub use spaces::{LanguageInviteRow, LanguageRevoke, SpaceAccepted, Spaces};
pub use users::{UserRow, Users};
pub use write_transactions::{begin_write, WriteTx};

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

impl From<StoreError> for crate::error::AppError {
    /// Store faults are logged here, once, and shown as
    /// [`AppError::Internal`](crate::error::AppError::Internal).
    fn from(err: StoreError) -> Self {
        tracing::error!(error = %err, "store error");
        crate::error::AppError::Internal
    }
}

/// Why a member's line was refused ([`StoreError::NotAllowed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRefusal {
    /// An owner or moderator muted them in this room.
    Muted,
    /// They are not an active member of the room (never were, left, were
    /// removed or banned).
    NotMember,
    /// They left the instant chat.
    LeftChat,
    /// The message to edit or delete is not there: never was in this room,
    /// or already deleted.
    MessageGone,
    /// Only its author may edit a message, and only they or someone who
    /// moderates the room may delete it.
    NotYourMessage,
    /// The message carries a file or is a system line: there is no text to edit.
    NothingToEdit,
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
    /// The reader that answers many tabs' instant chat lookups in one
    /// statement ([`chat_lookups`]).
    chat_lookups: ChatLookups,
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
                        // 5 s for locks; WAL is kept in the file. FULL: a commit is on
                        // disk before it is answered, so an acknowledged line survives
                        // a power cut (NORMAL, in WAL mode, could lose the last commits,
                        // https://www.sqlite.org/pragma.html#pragma_synchronous). The
                        // group commit writer makes that one fsync per batch of lines.
                        sqlx::Executor::execute(&mut *conn, "PRAGMA synchronous = FULL").await?;
                        sqlx::Executor::execute(&mut *conn, checkpoint::WAL_KEPT).await?;
                        // The group commit writer schedules checkpoints instead.
                        sqlx::Executor::execute(&mut *conn, checkpoint::AUTOCHECKPOINT_OFF).await.map(|_| ())
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
        let chat_lookups = ChatLookups::start(pool.clone());
        Ok(Store { pool, backend, sessions, writer, chat_lookups })
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

    /// Returns once every room line and invite accept handed to the store
    /// before this call is committed or refused. Call it when the server
    /// stops, after the last request was answered or cut off: on SQLite, a
    /// line a cut-off request queued would otherwise be lost with the
    /// runtime. On PostgreSQL nothing waits.
    pub async fn settle_writes(&self) {
        if let Some(writer) = &self.writer {
            writer.settled().await;
        }
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

    /// What an account holds, read for "Download my data".
    pub fn account_export(&self) -> AccountExport<'_> {
        AccountExport::new(&self.pool)
    }

    /// Where each account is logged in.
    pub fn account_sessions(&self) -> AccountSessions<'_> {
        AccountSessions::new(&self.pool)
    }

    /// Accounts' email addresses and the links sent to them.
    pub fn email_tokens(&self) -> EmailTokens<'_> {
        EmailTokens::new(&self.pool)
    }

    /// Deleting accounts.
    pub fn account_deletion(&self) -> AccountDeletion<'_> {
        AccountDeletion::new(&self.pool)
    }

    /// Accounts' recovery codes, as hashes.
    pub fn recovery_codes(&self) -> RecoveryCodes<'_> {
        RecoveryCodes::new(&self.pool)
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

    /// Requests to join through links that need approval.
    pub fn join_requests(&self) -> JoinRequests<'_> {
        JoinRequests::new(&self.pool)
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
        InstantChats::new(&self.pool, &self.chat_lookups)
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
        .synchronous(SqliteSynchronous::Full)
        .pragma("journal_size_limit", checkpoint::WAL_KEPT_BYTES.to_string())
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    if let Some(parent) = Path::new(options.get_filename()).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open(format!("{}: {e}", parent.display())))?;
        }
    }
    SqlitePoolOptions::new().max_connections(2).test_before_acquire(false).connect_with(options).await.map_err(|e| StoreError::Open(e.to_string()))
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

/// True when `err` is a violation of a UNIQUE constraint.
fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
