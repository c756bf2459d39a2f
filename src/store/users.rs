//! Users: accounts with a username and an Argon2id password hash.

use sqlx::AnyPool;

use super::{is_unique_violation, Flag, StoreError};

/// A user as stored, including the password hash. Never sent to a browser
/// (it does not implement `Serialize`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Primary key.
    pub id: i64,
    /// The name as the user typed it.
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Queries on `users`.
pub struct Users<'a> {
    pool: &'a AnyPool,
}

impl<'a> Users<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Users { pool }
    }

    /// Creates a user. `now_ms` is the creation time in Unix milliseconds.
    ///
    /// Errors: [`StoreError::Conflict`]`("username")` when the name is taken,
    /// ignoring case, or looks like one that is ([`crate::names::name_key`]).
    pub async fn create(
        &self,
        username: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<UserRow, StoreError> {
        sqlx::query_as::<_, UserRow>(
            "INSERT INTO users (username, username_key, username_skeleton, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)
             RETURNING id, username, password_hash",
        )
        .bind(username)
        .bind(username.to_lowercase())
        .bind(crate::names::name_key(username))
        .bind(password_hash)
        .bind(now_ms)
        .fetch_one(self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict("username")
            } else {
                e.into()
            }
        })
    }

    /// Gives accounts from before look-alike checks their
    /// `username_skeleton`, oldest first; an account whose look-alike has
    /// it already keeps none (and is logged). Returns how many were filled.
    /// Run at start-up; a no-op once every account has one.
    pub async fn fill_skeletons(&self) -> Result<usize, StoreError> {
        let missing: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, username FROM users WHERE username_skeleton IS NULL AND deleted_at IS NULL ORDER BY id")
                .fetch_all(self.pool)
                .await?;
        let mut filled = 0;
        for (id, username) in missing {
            let done = sqlx::query("UPDATE users SET username_skeleton = $1 WHERE id = $2")
                .bind(crate::names::name_key(&username))
                .bind(id)
                .execute(self.pool)
                .await;
            match done {
                Ok(_) => filled += 1,
                Err(e) if is_unique_violation(&e) => tracing::warn!(user_id = id, "an older username looks like another"),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(filled)
    }

    /// Finds a user by name, ignoring case.
    pub async fn find_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(sqlx::query_as::<_, UserRow>(
            "SELECT id, username, password_hash FROM users WHERE username_key = $1",
        )
        .bind(username.to_lowercase())
        .fetch_optional(self.pool)
        .await?)
    }

    /// Counts a log-in attempt for `username` (any case, whether or not such
    /// an account exists) at `now_ms`, in a window of `window_ms` that starts
    /// with the first attempt. `Ok(None)`: within `limit`, go on and check the
    /// password; `Ok(Some(ms))`: refused, the window ends in `ms`.
    ///
    /// One statement (an upsert), so attempts racing each other are each
    /// counted once: at most `limit` passwords are checked per username and
    /// window, however many arrive at once, on any node.
    pub async fn count_login_attempt(
        &self,
        username: &str,
        now_ms: i64,
        window_ms: i64,
        limit: u32,
    ) -> Result<Option<i64>, StoreError> {
        let (attempts, window_start): (i64, i64) = sqlx::query_as(
            "INSERT INTO login_attempts (username_key, window_start_ms, attempts) VALUES ($1, $2, 1)
             ON CONFLICT (username_key) DO UPDATE SET
               attempts = CASE WHEN login_attempts.window_start_ms <= $2 - $3 THEN 1
                               ELSE login_attempts.attempts + 1 END,
               window_start_ms = CASE WHEN login_attempts.window_start_ms <= $2 - $3 THEN $2
                                      ELSE login_attempts.window_start_ms END
             RETURNING attempts, window_start_ms",
        )
        .bind(username.trim().to_lowercase())
        .bind(now_ms)
        .bind(window_ms)
        .fetch_one(self.pool)
        .await?;
        Ok((attempts > i64::from(limit)).then(|| (window_start + window_ms - now_ms).max(1)))
    }

    /// Forgets the log-in attempts of `username` (after a successful log-in).
    pub async fn forget_login_attempts(&self, username: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_attempts WHERE username_key = $1")
            .bind(username.trim().to_lowercase())
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Deletes attempt counts whose window started at or before `before_ms`
    /// (they no longer count). Returns how many.
    pub async fn delete_old_login_attempts(&self, before_ms: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM login_attempts WHERE window_start_ms <= $1")
            .bind(before_ms)
            .execute(self.pool)
            .await?
            .rows_affected())
    }

    /// Whether account `id` exists and was not deleted
    /// ([`crate::store::AccountDeletion`] leaves a row with `deleted_at`).
    pub async fn stands(&self, id: i64) -> Result<bool, StoreError> {
        let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_one(self.pool)
            .await?;
        Ok(found > 0)
    }

    /// Finds a user by id.
    pub async fn get(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        Ok(sqlx::query_as::<_, UserRow>(
            "SELECT id, username, password_hash FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool)
        .await?)
    }

    /// Replaces `id`'s password hash (an Argon2id PHC string).
    pub async fn set_password_hash(&self, id: i64, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(password_hash).bind(id).execute(self.pool).await?;
        Ok(())
    }

    /// The profile roles of `id`: (teacher, student); `None` for no such user.
    pub async fn roles(&self, id: i64) -> Result<Option<(bool, bool)>, StoreError> {
        let row: Option<(Flag, Flag)> = sqlx::query_as("SELECT is_teacher, is_student FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool)
            .await?;
        Ok(row.map(|(teacher, student)| (teacher.0, student.0)))
    }

    /// Marks `id` as a teacher (or not). Their language invites and spaces
    /// stay as they are either way.
    pub async fn set_teacher(&self, id: i64, teacher: bool) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET is_teacher = $2 WHERE id = $1").bind(id).bind(Flag(teacher)).execute(self.pool).await?;
        Ok(())
    }

    /// The language `id` chose (a locale tag such as `pt-BR`), if any.
    pub async fn language(&self, id: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT language FROM users WHERE id = $1").bind(id).fetch_optional(self.pool).await?;
        Ok(row.and_then(|(language,)| language))
    }

    /// Saves the language `id` chose (a locale tag the caller checked).
    pub async fn set_language(&self, id: i64, language: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET language = $2 WHERE id = $1").bind(id).bind(language).execute(self.pool).await?;
        Ok(())
    }
}
