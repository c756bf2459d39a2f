//! Invite links. Only the SHA-256 hash of a token is stored (see
//! [`crate::invites::token`]); every lookup goes through that hash.

use sqlx::SqlitePool;

use super::StoreError;

/// The fields of a new invite.
#[derive(Debug, Clone)]
pub struct NewInvite<'s> {
    /// Room the invite lets people into.
    pub room_id: i64,
    /// Hex SHA-256 of the token.
    pub token_hash: &'s str,
    /// User who made it.
    pub created_by: i64,
    /// Creation time, Unix ms.
    pub now_ms: i64,
    /// Expiry, Unix ms; `None` never expires.
    pub expires_at_ms: Option<i64>,
}

/// A usable invite with what its preview page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteRow {
    /// Invite id.
    pub id: i64,
    /// Room it leads to.
    pub room_id: i64,
    /// That room's name.
    pub room_name: String,
    /// Username of whoever made the invite.
    pub inviter: String,
    /// Members in the room now.
    pub member_count: i64,
    /// Expiry, Unix ms; `None` never expires.
    pub expires_at: Option<i64>,
}

/// The result of accepting an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedInvite {
    /// Room the user is now a member of.
    pub room_id: i64,
    /// True when they were a member already (nothing changed, no use counted).
    pub already_member: bool,
    /// True when they are banned from the room: nothing changed, no use
    /// counted, and they are not a member.
    pub banned: bool,
}

/// Queries on `invites`.
pub struct Invites<'a> {
    pool: &'a SqlitePool,
}

const USABLE_INVITE: &str = "
    SELECT i.id, i.room_id, r.name AS room_name, u.username AS inviter,
           (SELECT COUNT(*) FROM memberships c WHERE c.room_id = i.room_id AND c.status = 'active') AS member_count,
           i.expires_at
    FROM invites i
    JOIN rooms r ON r.id = i.room_id
    JOIN users u ON u.id = i.created_by
    WHERE i.token_hash = $1 AND (i.expires_at IS NULL OR i.expires_at > $2)";

impl<'a> Invites<'a> {
    pub(super) fn new(pool: &'a SqlitePool) -> Self {
        Invites { pool }
    }

    /// Stores a new invite and returns its id.
    pub async fn create(&self, invite: NewInvite<'_>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO invites (room_id, token_hash, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(invite.room_id)
        .bind(invite.token_hash)
        .bind(invite.created_by)
        .bind(invite.now_ms)
        .bind(invite.expires_at_ms)
        .fetch_one(self.pool)
        .await?)
    }

    /// The invite with this token hash if it can still be used at `now_ms`;
    /// `None` when it does not exist or has expired. Reads only.
    pub async fn find_usable(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<InviteRow>, StoreError> {
        Ok(sqlx::query_as::<_, InviteRow>(USABLE_INVITE)
            .bind(token_hash)
            .bind(now_ms)
            .fetch_optional(self.pool)
            .await?)
    }

    /// Makes `user_id` a member of the invite's room, counting one use, in one
    /// `BEGIN IMMEDIATE` transaction. A user who is a member already is left as
    /// they are; one who left or was removed gets their membership back (the
    /// same row, reactivated as a plain member); a banned one is refused.
    /// Returns `None` when the invite does not exist or has expired.
    pub async fn accept(
        &self,
        token_hash: &str,
        user_id: i64,
        now_ms: i64,
    ) -> Result<Option<AcceptedInvite>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(invite) = sqlx::query_as::<_, InviteRow>(USABLE_INVITE)
            .bind(token_hash)
            .bind(now_ms)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let earlier: Option<String> =
            sqlx::query_scalar("SELECT status FROM memberships WHERE room_id = $1 AND user_id = $2")
                .bind(invite.room_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (room_id, banned) = (invite.room_id, earlier.as_deref() == Some("banned"));
        if banned || earlier.as_deref() == Some("active") {
            return Ok(Some(AcceptedInvite { room_id, already_member: !banned, banned }));
        }
        // New, or back after leaving or being removed: one row either way.
        let inserted = sqlx::query(
            "INSERT INTO memberships (room_id, user_id, role, invite_id, joined_at)
             VALUES ($1, $2, 'member', $3, $4)
             ON CONFLICT (room_id, user_id) DO UPDATE SET
                 status = 'active', role = 'member', invite_id = excluded.invite_id,
                 joined_at = excluded.joined_at, status_at = excluded.joined_at, status_by = NULL
             WHERE memberships.status IN ('left', 'removed')",
        )
        .bind(invite.room_id)
        .bind(user_id)
        .bind(invite.id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            sqlx::query("UPDATE invites SET uses = uses + 1 WHERE id = $1")
                .bind(invite.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(AcceptedInvite { room_id, already_member: !inserted, banned: false }))
    }
}
