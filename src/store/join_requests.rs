//! Join requests (issue 40): a link with "New members need approval" lets
//! people ask to join instead of joining, as Telegram's join requests,
//! Matrix's knock and WhatsApp's "approve new participants" do.
//!
//! One row per (room, person). A request waits while its link works (not
//! revoked, not expired): it ends with its link, without a write, because
//! every read joins the link and checks it. Approving it is an accept
//! through that link made at that moment ([`super::invite_accepts`], with
//! `approved` set), in one write transaction, so the link's limits, the
//! room's member limit and bans are checked then, atomically with the use
//! being counted. Declining keeps the row (so the person is told, and that
//! link cannot ask again); withdrawing deletes it.

use sqlx::AnyPool;

use super::{
    begin_write,
    invite_accepts::{accept_all_on, Acceptance},
    Accepted, Flag, StoreError,
};
use crate::types::invites::{JoinRequestView, RequestState};

/// A request `j` (through link `i`) still waits at `now` (a parameter such
/// as `$2`): not declined, its link neither revoked nor expired, and its
/// person not a member meanwhile (through another link).
fn waiting(now: &str) -> String {
    format!(
        "j.declined_at IS NULL AND i.revoked_at IS NULL AND (i.expires_at IS NULL OR i.expires_at > {now})
         AND NOT EXISTS (SELECT 1 FROM memberships w WHERE w.room_id = j.room_id AND w.user_id = j.user_id AND w.status = 'active')"
    )
}

/// Queries on `join_requests`.
pub struct JoinRequests<'a> {
    pool: &'a AnyPool,
}

impl<'a> JoinRequests<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        JoinRequests { pool }
    }

    /// `user_id` asks to join `room_id` through link `invite_id` at
    /// `now_ms` (after [`super::Invites::accept`] answered
    /// [`Accepted::NeedsApproval`]). A request already waiting stays as it
    /// is (asking twice is one request); one declined through another link
    /// waits again. Returns where the request stands now: `Declined` when
    /// this very link's request was declined.
    pub async fn ask(&self, room_id: i64, user_id: i64, invite_id: i64, now_ms: i64) -> Result<RequestState, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        sqlx::query(
            "INSERT INTO join_requests (room_id, user_id, invite_id, requested_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (room_id, user_id) DO UPDATE SET
                 invite_id = excluded.invite_id, requested_at = excluded.requested_at,
                 declined_at = NULL, declined_by = NULL
             WHERE join_requests.invite_id <> excluded.invite_id
               AND (join_requests.declined_at IS NOT NULL
                    OR NOT EXISTS (SELECT 1 FROM invites i WHERE i.id = join_requests.invite_id
                                   AND i.revoked_at IS NULL AND (i.expires_at IS NULL OR i.expires_at > excluded.requested_at)))",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(invite_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let declined: Flag = sqlx::query_scalar(
            "SELECT CASE WHEN declined_at IS NULL THEN 0 ELSE 1 END FROM join_requests WHERE room_id = $1 AND user_id = $2",
        )
        .bind(room_id)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if declined.0 { RequestState::Declined } else { RequestState::Pending })
    }

    /// Where `user_id`'s request to join `room_id` stands at `now_ms`:
    /// `None` when there is none, or it ended with its link. Reads only.
    pub async fn state_of(&self, room_id: i64, user_id: i64, now_ms: i64) -> Result<Option<RequestState>, StoreError> {
        let row: Option<Flag> = sqlx::query_scalar(&format!(
            "SELECT CASE WHEN j.declined_at IS NULL THEN 0 ELSE 1 END
             FROM join_requests j JOIN invites i ON i.id = j.invite_id
             WHERE j.room_id = $1 AND j.user_id = $2
               AND (j.declined_at IS NOT NULL OR ({}))",
            waiting("$3")
        ))
        .bind(room_id)
        .bind(user_id)
        .bind(now_ms)
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(|declined| if declined.0 { RequestState::Declined } else { RequestState::Pending }))
    }

    /// The requests waiting in `room_id` at `now_ms`, oldest first.
    pub async fn pending(&self, room_id: i64, now_ms: i64) -> Result<Vec<JoinRequestView>, StoreError> {
        let rows = sqlx::query_as::<_, (i64, String, String, String, i64)>(&format!(
            "SELECT j.user_id, u.username, i.label, maker.username, j.requested_at
             FROM join_requests j JOIN invites i ON i.id = j.invite_id
             JOIN users u ON u.id = j.user_id JOIN users maker ON maker.id = i.created_by
             WHERE j.room_id = $1 AND {} ORDER BY j.requested_at, j.user_id",
            waiting("$2")
        ))
        .bind(room_id)
        .bind(now_ms)
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, username, link_label, link_maker, requested_at)| JoinRequestView {
                user_id,
                username,
                link_label,
                link_maker,
                requested_at,
            })
            .collect())
    }

    /// How many requests wait in `room_id` at `now_ms`.
    pub async fn pending_count(&self, room_id: i64, now_ms: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM join_requests j JOIN invites i ON i.id = j.invite_id WHERE j.room_id = $1 AND {}",
            waiting("$2")
        ))
        .bind(room_id)
        .bind(now_ms)
        .fetch_one(self.pool)
        .await?)
    }

    /// For each room where `user_id` moderates (owner, moderator, or given
    /// the right), how many requests wait at `now_ms`; rooms with none are
    /// left out. For the dashboard's badges.
    pub async fn pending_for_moderator(&self, user_id: i64, now_ms: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT j.room_id, COUNT(*) FROM join_requests j JOIN invites i ON i.id = j.invite_id
             JOIN memberships m ON m.room_id = j.room_id AND m.user_id = $1 AND m.status = 'active'
             WHERE {} AND (m.role = 'owner' OR COALESCE(m.can_moderate, CASE WHEN m.role = 'moderator' THEN 1 ELSE 0 END) = 1)
             GROUP BY j.room_id ORDER BY j.room_id",
            waiting("$2")
        ))
        .bind(user_id)
        .bind(now_ms)
        .fetch_all(self.pool)
        .await?)
    }

    /// Approves `user_id`'s waiting request to join `room_id` at `now_ms`:
    /// joins them through the link they asked with, checking at this moment,
    /// in one write transaction, that the link still works and has a use
    /// left, that the room has room, and that they are not banned. Returns
    /// `None` when no request waits (withdrawn, declined, ended with its
    /// link, or approved already); otherwise the accept's answer, which is
    /// never [`Accepted::NeedsApproval`]. The request is gone afterwards
    /// unless the answer is [`Accepted::RoomFull`] (it may be approved once
    /// someone leaves or the limit is raised).
    pub async fn approve(&self, room_id: i64, user_id: i64, now_ms: i64) -> Result<Option<Accepted>, StoreError> {
        let mut tx = begin_write(self.pool).await?;
        let token_hash: Option<String> = sqlx::query_scalar(&format!(
            "SELECT i.token_hash FROM join_requests j JOIN invites i ON i.id = j.invite_id
             WHERE j.room_id = $1 AND j.user_id = $2 AND {}",
            waiting("$3")
        ))
        .bind(room_id)
        .bind(user_id)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(token_hash) = token_hash else { return Ok(None) };
        let ask = Acceptance { token_hash, user_id, now_ms, approved: true };
        let answer = accept_all_on(&mut tx, &[&ask]).await?.pop().unwrap_or(Accepted::Invalid);
        if !matches!(answer, Accepted::RoomFull { .. }) {
            sqlx::query("DELETE FROM join_requests WHERE room_id = $1 AND user_id = $2")
                .bind(room_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(answer))
    }

    /// Declines `user_id`'s waiting request to join `room_id`. Returns false
    /// when none waits.
    pub async fn decline(&self, room_id: i64, user_id: i64, by: i64, now_ms: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE join_requests SET declined_at = $3, declined_by = $4
             WHERE room_id = $1 AND user_id = $2 AND declined_at IS NULL",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(now_ms)
        .bind(by)
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// The requester takes back their waiting request. Returns false when
    /// none waits.
    pub async fn withdraw(&self, room_id: i64, user_id: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query("DELETE FROM join_requests WHERE room_id = $1 AND user_id = $2 AND declined_at IS NULL")
            .bind(room_id)
            .bind(user_id)
            .execute(self.pool)
            .await?
            .rows_affected();
        Ok(changed == 1)
    }
}
