//! Recovery codes (issue 41): each account's set of one-time codes, kept
//! only as hashes (see `migrations/sqlite/0019_recovery_codes.up.sql`;
//! making and checking codes is `crate::accounts::recovery`).

use sqlx::AnyPool;

use super::{write_transactions::begin_write, StoreError};

/// Queries on `recovery_codes`.
pub struct RecoveryCodes<'a> {
    pool: &'a AnyPool,
}

impl<'a> RecoveryCodes<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        RecoveryCodes { pool }
    }

    /// Makes `code_hashes` the account's set, in one transaction: the codes
    /// of the set before stop working. Errors: the database's.
    pub async fn replace(&self, user_id: i64, code_hashes: &[String], now_ms: i64) -> Result<(), StoreError> {
        let mut tx = begin_write(self.pool).await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        for hash in code_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(hash)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Uses up the account's code with this hash: true when it was there
    /// (and is now gone, so it never works twice, even for two requests at
    /// once), false when the account has no such code.
    pub async fn redeem(&self, user_id: i64, code_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
            .bind(user_id)
            .bind(code_hash)
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many unused codes the account has left.
    pub async fn left(&self, user_id: i64) -> Result<u32, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(self.pool)
            .await?;
        Ok(count as u32)
    }
}
