//! Where each account is logged in (issue 41): a row per logged-in
//! session beside tower-sessions' own table, which keeps the session's data
//! but cannot be searched by account. The profile lists these rows; ending
//! one deletes the tower-sessions record too (see
//! [`crate::accounts::sessions`]).

use sqlx::AnyPool;

use super::StoreError;

/// One logged-in session of an account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountSessionRow {
    /// Row id: how pages name the session.
    pub id: i64,
    /// The tower-sessions id: a bearer secret, never sent to a page.
    pub session_id: String,
    /// The User-Agent at log-in (at most [`crate::limits::USER_AGENT_MAX_CHARS`]).
    pub user_agent: String,
    /// Coarse address of the log-in (an IPv4 /24 or IPv6 /48).
    pub address: String,
    /// When it began, Unix ms.
    pub started_at: i64,
    /// When it was last used for a page or an action, Unix ms (noted at
    /// most every [`crate::limits::SESSION_ACTIVITY_NOTE_MS`]).
    pub last_active_at: i64,
}

/// A session to note at log-in.
#[derive(Debug, Clone, Copy)]
pub struct NewAccountSession<'a> {
    /// The account.
    pub user_id: i64,
    /// The tower-sessions id.
    pub session_id: &'a str,
    /// User-Agent, already cut to its maximum.
    pub user_agent: &'a str,
    /// Coarse address.
    pub address: &'a str,
    /// Now, Unix ms.
    pub now_ms: i64,
}

/// Queries on `account_sessions`.
pub struct AccountSessions<'a> {
    pool: &'a AnyPool,
}

const COLUMNS: &str = "id, session_id, user_agent, address, started_at, last_active_at";

impl<'a> AccountSessions<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        AccountSessions { pool }
    }

    /// Notes a session that just logged in (a second note of the same id
    /// replaces the first). Errors: the database's.
    pub async fn add(&self, new: NewAccountSession<'_>) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM account_sessions WHERE session_id = $1").bind(new.session_id).execute(self.pool).await?;
        sqlx::query(
            "INSERT INTO account_sessions (user_id, session_id, user_agent, address, started_at, last_active_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(new.user_id)
        .bind(new.session_id)
        .bind(new.user_agent)
        .bind(new.address)
        .bind(new.now_ms)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// The account's sessions, most recently active first.
    pub async fn of_user(&self, user_id: i64) -> Result<Vec<AccountSessionRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM account_sessions WHERE user_id = $1 ORDER BY last_active_at DESC, id DESC"
        ))
        .bind(user_id)
        .fetch_all(self.pool)
        .await?)
    }

    /// Notes that session `session_id` was used at `now_ms`; false when it
    /// has no row.
    pub async fn touch(&self, session_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE account_sessions SET last_active_at = $1 WHERE session_id = $2")
            .bind(now_ms)
            .bind(session_id)
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Forgets the rows of these sessions (ended or expired).
    pub async fn forget(&self, session_ids: &[String]) -> Result<(), StoreError> {
        for id in session_ids {
            sqlx::query("DELETE FROM account_sessions WHERE session_id = $1").bind(id).execute(self.pool).await?;
        }
        Ok(())
    }
}
