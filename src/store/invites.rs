//! Invite links. Only the SHA-256 hash of a token is stored (see
//! [`crate::invite_token`]); every lookup goes through that hash. A link's
//! state (active, expired, used up, revoked) is derived from `expires_at`,
//! `uses`/`max_uses` and `revoked_at`.

use sqlx::AnyPool;

use super::{
    group_commit::GroupCommit,
    invite_accepts::{accept_all_on, Acceptance},
    StoreError,
};
use crate::{
    types::invites::{InviteStatus, InviteSummary},
    types::rooms::Role,
};

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
    /// Most uses; `None` unlimited.
    pub max_uses: Option<i64>,
    /// Label, checked ("" for none).
    pub label: &'s str,
    /// Role a member joining through it gets (`Member` or `Moderator`).
    pub role: Role,
    /// New members need a moderator's approval: accepting stores a join
    /// request ([`super::JoinRequests`]) instead of a membership.
    pub needs_approval: bool,
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
    /// That room's description.
    pub room_description: String,
    /// Most members the room holds.
    pub member_limit: i64,
    /// Username of whoever made the invite.
    pub inviter: String,
    /// Members in the room now.
    pub member_count: i64,
    /// Expiry, Unix ms; `None` never expires.
    pub expires_at: Option<i64>,
    /// Times used.
    pub uses: i64,
    /// Most uses; `None` unlimited.
    pub max_uses: Option<i64>,
    /// New members need a moderator's approval.
    #[sqlx(try_from = "super::Flag")]
    pub needs_approval: bool,
}

/// What accepting an invite came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// The user is now a member (new, or back after leaving or removal); one use counted.
    Joined {
        /// The room.
        room_id: i64,
        /// The invite they came through.
        invite_id: i64,
        /// Who made that invite.
        creator_id: i64,
    },
    /// They were a member already: nothing changed, no use counted.
    AlreadyMember {
        /// The room.
        room_id: i64,
    },
    /// Unknown, expired or revoked: nothing changed.
    Invalid,
    /// The link has been used as often as it may: nothing changed.
    UsedUp,
    /// The room holds its member limit: nothing changed, no use counted.
    RoomFull {
        /// The room's member limit.
        limit: i64,
    },
    /// They are banned from the room: nothing changed, no use counted.
    Banned,
    /// The link needs a moderator's approval: nothing changed, no use
    /// counted; the caller stores a join request ([`super::JoinRequests::ask`]).
    NeedsApproval {
        /// The room.
        room_id: i64,
        /// The link they asked through.
        invite_id: i64,
    },
}

/// Queries on `invites`.
pub struct Invites<'a> {
    pool: &'a AnyPool,
    /// SQLite's group commit writer, which accepts beside other writes.
    writer: Option<&'a GroupCommit>,
}

const USABLE_INVITE: &str = "
    SELECT i.id, i.room_id, r.name AS room_name, r.description AS room_description, r.member_limit,
           u.username AS inviter,
           (SELECT COUNT(*) FROM memberships c WHERE c.room_id = i.room_id AND c.status = 'active') AS member_count,
           i.expires_at, i.uses, i.max_uses, i.needs_approval
    FROM invites i
    JOIN rooms r ON r.id = i.room_id
    JOIN users u ON u.id = i.created_by
    WHERE i.token_hash = $1 AND (i.expires_at IS NULL OR i.expires_at > $2)
      AND i.revoked_at IS NULL AND (i.max_uses IS NULL OR i.uses < i.max_uses)";

/// One row of a listing, before its state is worked out.
#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    room_id: i64,
    room_name: String,
    label: String,
    revoked_at: Option<i64>,
    uses: i64,
    max_uses: Option<i64>,
    role: Role,
    #[sqlx(try_from = "super::Flag")]
    needs_approval: bool,
    created_by: String,
    created_at: i64,
    expires_at: Option<i64>,
    joined: Option<String>,
}

impl ListRow {
    fn summary(self, now_ms: i64) -> InviteSummary {
        let status = InviteStatus::of(self.revoked_at.is_some(), self.uses, self.max_uses, self.expires_at, now_ms);
        // Usernames are letters, digits, '_' and '-', so ',' separates them safely.
        let joined = self.joined.map(|j| j.split(',').map(str::to_string).collect()).unwrap_or_default();
        InviteSummary {
            id: self.id,
            room_id: self.room_id,
            room_name: self.room_name,
            label: self.label,
            status,
            uses: self.uses,
            max_uses: self.max_uses,
            role: self.role,
            needs_approval: self.needs_approval,
            created_by: self.created_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            joined,
        }
    }
}

const LIST: &str = "
    SELECT i.id, i.room_id, r.name AS room_name, i.label, i.revoked_at, i.uses, i.max_uses, i.role, i.needs_approval,
           u.username AS created_by, i.created_at, i.expires_at,
           (SELECT string_agg(ju.username, ',' ORDER BY m.joined_at, ju.id)
            FROM memberships m JOIN users ju ON ju.id = m.user_id WHERE m.invite_id = i.id) AS joined
    FROM invites i JOIN rooms r ON r.id = i.room_id JOIN users u ON u.id = i.created_by";

async fn insert<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(executor: E, invite: &NewInvite<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO invites (room_id, token_hash, created_by, created_at, expires_at, max_uses, label, role, needs_approval)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(invite.room_id)
    .bind(invite.token_hash)
    .bind(invite.created_by)
    .bind(invite.now_ms)
    .bind(invite.expires_at_ms)
    .bind(invite.max_uses)
    .bind(invite.label)
    .bind(invite.role)
    .bind(i64::from(invite.needs_approval))
    .fetch_one(executor)
    .await?)
}

/// Sorts pending links (active, unused) first, then newest first.
fn pending_first(mut list: Vec<InviteSummary>) -> Vec<InviteSummary> {
    list.sort_by_key(|s| (!s.is_pending(), std::cmp::Reverse(s.id)));
    list
}

impl<'a> Invites<'a> {
    pub(super) fn new(pool: &'a AnyPool, writer: Option<&'a GroupCommit>) -> Self {
        Invites { pool, writer }
    }

    /// Stores a new invite and returns its id.
    pub async fn create(&self, invite: NewInvite<'_>) -> Result<i64, StoreError> {
        insert(self.pool, &invite).await
    }

    /// The invite with this token hash if it can be used at `now_ms`;
    /// `None` when it does not exist, has expired, is used up or revoked. Reads only.
    pub async fn find_usable(&self, token_hash: &str, now_ms: i64) -> Result<Option<InviteRow>, StoreError> {
        Ok(sqlx::query_as::<_, InviteRow>(USABLE_INVITE).bind(token_hash).bind(now_ms).fetch_optional(self.pool).await?)
    }

    /// Makes `user_id` a member of the invite's room, if the link is usable
    /// at `now_ms`: counts the use and inserts the membership (or reactivates
    /// a former member's, with the invite's role; a mute, `can_write = 0`,
    /// outlives leaving and coming back), in one transaction from
    /// [`super::begin_write`], so nobody joins between the checks and the
    /// writes. On SQLite the accept shares its transaction with the writes
    /// waiting beside it ([`super::group_commit`]); the rules are those of
    /// [`super::invite_accepts`] either way. A link that needs approval
    /// answers [`Accepted::NeedsApproval`] and writes nothing.
    pub async fn accept(&self, token_hash: &str, user_id: i64, now_ms: i64) -> Result<Accepted, StoreError> {
        let ask = Acceptance { token_hash: token_hash.to_owned(), user_id, now_ms, approved: false };
        let ask = match self.writer {
            Some(writer) => match writer.accept(ask).await {
                Ok(answer) => return answer,
                Err(ask) => ask,
            },
            None => ask,
        };
        let mut tx = super::begin_write(self.pool).await?;
        let answer = accept_all_on(&mut tx, &[&ask]).await?.pop().unwrap_or(Accepted::Invalid);
        tx.commit().await?;
        Ok(answer)
    }

    /// Every link of a room: pending (active, unused) first, then newest first.
    pub async fn for_room(&self, room_id: i64, now_ms: i64) -> Result<Vec<InviteSummary>, StoreError> {
        let rows = sqlx::query_as::<_, ListRow>(&format!("{LIST} WHERE i.room_id = $1"))
            .bind(room_id)
            .fetch_all(self.pool)
            .await?;
        Ok(pending_first(rows.into_iter().map(|r| r.summary(now_ms)).collect()))
    }

    /// Every link `user_id` made, across rooms they are still in: pending
    /// first, then newest first.
    pub async fn by_creator(&self, user_id: i64, now_ms: i64) -> Result<Vec<InviteSummary>, StoreError> {
        let rows = sqlx::query_as::<_, ListRow>(&format!(
            "{LIST} WHERE i.created_by = $1 AND EXISTS (SELECT 1 FROM memberships o
                 WHERE o.room_id = i.room_id AND o.user_id = $1 AND o.status = 'active')"
        ))
        .bind(user_id)
        .fetch_all(self.pool)
        .await?;
        Ok(pending_first(rows.into_iter().map(|r| r.summary(now_ms)).collect()))
    }

    /// How many of `user_id`'s links are pending (active and unused) at `now_ms`.
    pub async fn pending_count(&self, user_id: i64, now_ms: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM invites i
             WHERE i.created_by = $1 AND i.uses = 0 AND i.revoked_at IS NULL
               AND (i.expires_at IS NULL OR i.expires_at > $2)
               AND EXISTS (SELECT 1 FROM memberships o
                           WHERE o.room_id = i.room_id AND o.user_id = $1 AND o.status = 'active')",
        )
        .bind(user_id)
        .bind(now_ms)
        .fetch_one(self.pool)
        .await?)
    }

    /// The room and maker of an invite, or `None` if there is no such invite.
    pub async fn owner_of(&self, invite_id: i64) -> Result<Option<(i64, i64)>, StoreError> {
        Ok(sqlx::query_as("SELECT room_id, created_by FROM invites WHERE id = $1")
            .bind(invite_id)
            .fetch_optional(self.pool)
            .await?)
    }

    /// Revokes one link. Returns false when it was revoked already.
    pub async fn revoke(&self, invite_id: i64, by: i64, now_ms: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query("UPDATE invites SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL")
            .bind(invite_id)
            .bind(now_ms)
            .bind(by)
            .execute(self.pool)
            .await?
            .rows_affected();
        Ok(changed == 1)
    }

    /// "Reset link": revokes every link of the room that still works and
    /// stores `fresh` in one transaction. Returns (links revoked, new id).
    pub async fn reset(&self, fresh: NewInvite<'_>) -> Result<(u64, i64), StoreError> {
        let mut tx = super::begin_write(self.pool).await?;
        let revoked = sqlx::query(
            "UPDATE invites SET revoked_at = $2, revoked_by = $3
             WHERE room_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
               AND (max_uses IS NULL OR uses < max_uses)",
        )
        .bind(fresh.room_id)
        .bind(fresh.now_ms)
        .bind(fresh.created_by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let id = insert(&mut *tx, &fresh).await?;
        tx.commit().await?;
        Ok((revoked, id))
    }
}
