//! The store: every SQL statement Roomlink runs, one type per subject.
//!
//! Pages, server functions and the live layer call methods here and never see
//! a connection, so that another database (PostgreSQL, for several nodes) can
//! be added behind the same methods. Queries are checked at run time
//! (`sqlx::query_as` with `FromRow`) and use numbered `$1` parameters, which
//! SQLite and PostgreSQL both understand.
//!
//! SQLite runs in WAL mode with a busy timeout; transactions that read before
//! they write start with `BEGIN IMMEDIATE` so that two writers queue instead of
//! failing with `SQLITE_BUSY` half-way (see <https://sqlite.org/lang_transaction.html>).

mod attachments;
mod instant_chats;
mod instant_lines;
mod invites;
mod messages;
mod rooms;
mod spaces;
mod users;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};

pub use attachments::{AttachmentRow, Attachments, NewAttachment, StoredFile};
pub use instant_chats::{ChatRow, InstantChats, JoinRefusal, NewParticipant, ParticipantRow, Swept};
pub use instant_lines::{tag_of, InstantFileRow, InstantLines};
pub use invites::{Accepted, InviteRow, Invites, NewInvite};
pub use messages::Messages;
pub use rooms::{MembershipEnd, Rooms};
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
    /// Any other database fault.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The handle to Roomlink's database. Cheap to clone (it wraps a pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `database_url`
    /// (`sqlite://path/to/file.db`) and runs pending migrations.
    ///
    /// The parent folder of the file is created. Errors: [`StoreError::Open`]
    /// when the URL is not SQLite, the file cannot be created, or a migration fails.
    pub async fn open(database_url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(database_url)
            .map_err(|e| StoreError::Open(format!("{database_url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        if let Some(parent) = Path::new(options.get_filename()).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::Open(format!("{}: {e}", parent.display())))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Open(format!("migration failed: {e}")))?;
        Ok(Store { pool })
    }

    /// The pool, for the session store (tower-sessions keeps its own table).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
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
        Invites::new(&self.pool)
    }

    /// Teacher spaces and language invites.
    pub fn spaces(&self) -> Spaces<'_> {
        Spaces::new(&self.pool)
    }

    /// Chat messages.
    pub fn messages(&self) -> Messages<'_> {
        Messages::new(&self.pool)
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

/// True when `err` is a violation of a UNIQUE constraint.
fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
