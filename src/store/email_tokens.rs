//! Recovery by email (issue 41): accounts' confirmed addresses and the
//! tokens of the links sent to them, kept only as hashes (see
//! `migrations/sqlite/0021_email_recovery.up.sql`; the rules are
//! `crate::accounts::email`).

use sqlx::AnyPool;

use super::{is_unique_violation, write_transactions::begin_write, StoreError};

/// Queries on accounts' email addresses and `email_tokens`.
pub struct EmailTokens<'a> {
    pool: &'a AnyPool,
}

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailPurpose {
    /// Confirms the address it was sent to as the account's.
    Confirm,
    /// Sets a new password.
    Reset,
}

impl EmailPurpose {
    fn as_str(self) -> &'static str {
        match self {
            EmailPurpose::Confirm => "confirm",
            EmailPurpose::Reset => "reset",
        }
    }
}

/// A link that still works: whose it is and where it was sent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmailLink {
    /// The account.
    pub user_id: i64,
    /// Its username.
    pub username: String,
    /// The address the link was sent to.
    pub email: String,
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The address is now the account's.
    Done(EmailLink),
    /// The link was used, expired, or is unknown.
    LinkEnded,
    /// Another account confirmed that address first; nothing changed.
    AddressTaken,
}

/// The link with token hash `$1` for purpose `$2`, if it still works at
/// `$3`: whose it is and where it was sent.
const WORKING_LINK: &str = "
    SELECT t.user_id, u.username, t.email FROM email_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3 AND u.deleted_at IS NULL";

impl<'a> EmailTokens<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        EmailTokens { pool }
    }

    /// The account's confirmed address, if any.
    pub async fn address_of(&self, user_id: i64) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar::<_, Option<String>>("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool)
            .await?
            .flatten())
    }

    /// The address a confirmation link that still works was last sent to,
    /// for the account, at `now_ms`.
    pub async fn awaiting_confirmation(&self, user_id: i64, now_ms: i64) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT email FROM email_tokens
             WHERE user_id = $1 AND purpose = 'confirm' AND used_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(now_ms)
        .fetch_optional(self.pool)
        .await?)
    }

    /// The account a "Forgot password?" names, by username or confirmed
    /// address (either ignoring case), with its address: `(id, username,
    /// email)`; `None` when there is none or it has no confirmed address.
    pub async fn account_with_address(&self, username_or_email: &str) -> Result<Option<(i64, String, String)>, StoreError> {
        let key = username_or_email.trim().to_lowercase();
        Ok(sqlx::query_as(
            "SELECT id, username, email FROM users
             WHERE (username_key = $1 OR email_key = $1) AND email IS NOT NULL AND deleted_at IS NULL
             ORDER BY id LIMIT 1",
        )
        .bind(key)
        .fetch_optional(self.pool)
        .await?)
    }

    /// How many links were sent to the account since `since_ms`.
    pub async fn sent_since(&self, user_id: i64, since_ms: i64) -> Result<u32, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM email_tokens WHERE user_id = $1 AND created_at >= $2")
            .bind(user_id)
            .bind(since_ms)
            .fetch_one(self.pool)
            .await?;
        Ok(count as u32)
    }

    /// Keeps the hash of a link's token for `purpose`, sent to `email`,
    /// working until `expires_at_ms`. A new link of a purpose ends the
    /// account's earlier ones of that purpose.
    pub async fn add(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: EmailPurpose,
        email: &str,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = begin_write(self.pool).await?;
        sqlx::query("UPDATE email_tokens SET expires_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3")
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(email)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The link with this token hash, if it is for `purpose` and still
    /// works at `now_ms` (for the page it opens, which changes nothing).
    pub async fn working(&self, token_hash: &str, purpose: EmailPurpose, now_ms: i64) -> Result<Option<EmailLink>, StoreError> {
        Ok(sqlx::query_as(
            WORKING_LINK,
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now_ms)
        .fetch_optional(self.pool)
        .await?)
    }

    /// Uses up the link with this token hash for `purpose` at `now_ms`, if
    /// it still works: once only, even for two requests at once.
    async fn use_up(
        &self,
        tx: &mut super::WriteTx,
        token_hash: &str,
        purpose: EmailPurpose,
        now_ms: i64,
    ) -> Result<Option<EmailLink>, StoreError> {
        let link: Option<EmailLink> = sqlx::query_as(
            WORKING_LINK,
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now_ms)
        .fetch_optional(&mut **tx)
        .await?;
        if link.is_none() {
            return Ok(None);
        }
        let used = sqlx::query("UPDATE email_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
            .bind(token_hash)
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
        Ok(link.filter(|_| used.rows_affected() == 1))
    }

    /// Follows a confirmation link: its address becomes the account's
    /// confirmed one (replacing any other), in one transaction.
    pub async fn confirm(&self, token_hash: &str, now_ms: i64) -> Result<Confirmed, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        let Some(link) = self.use_up(&mut tx, token_hash, EmailPurpose::Confirm, now_ms).await? else {
            return Ok(Confirmed::LinkEnded);
        };
        let set = sqlx::query("UPDATE users SET email = $2, email_key = $3 WHERE id = $1")
            .bind(link.user_id)
            .bind(&link.email)
            .bind(link.email.to_lowercase())
            .execute(&mut *tx)
            .await;
        match set {
            Err(e) if is_unique_violation(&e) => return Ok(Confirmed::AddressTaken),
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
        tx.commit().await?;
        Ok(Confirmed::Done(link))
    }

    /// Uses up a password-reset link (and ends the account's other reset
    /// links): whose it was, or `None` when it no longer works.
    pub async fn redeem_reset(&self, token_hash: &str, now_ms: i64) -> Result<Option<EmailLink>, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        let link = self.use_up(&mut tx, token_hash, EmailPurpose::Reset, now_ms).await?;
        if let Some(link) = &link {
            sqlx::query("UPDATE email_tokens SET expires_at = $2 WHERE user_id = $1 AND purpose = 'reset' AND used_at IS NULL")
                .bind(link.user_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(link)
    }

    /// Removes the account's address, and ends the links sent to it.
    pub async fn remove(&self, user_id: i64, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = begin_write(self.pool).await?;
        sqlx::query("UPDATE users SET email = NULL, email_key = NULL WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE email_tokens SET expires_at = $2 WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(user_id)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
