//! Rooms and memberships.

use sqlx::AnyPool;

use super::{Flag, StoreError};
use crate::{
    types::timeline::MemberView,
    types::rooms::{BannedMember, Rights, Role, RoomInfo, RoomSummary},
};

/// How a membership ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipEnd {
    /// They left.
    Left,
    /// An owner or moderator removed them; an invite brings them back.
    Removed,
    /// An owner or moderator banned them; no invite brings them back.
    Banned,
}

impl MembershipEnd {
    fn as_str(self) -> &'static str {
        match self {
            MembershipEnd::Left => "left",
            MembershipEnd::Removed => "removed",
            MembershipEnd::Banned => "banned",
        }
    }
}

/// Whether a membership may send lines, as SQL over `memberships m`: owners
/// always may; anyone else unless muted.
macro_rules! can_write_sql {
    () => {
        "CASE WHEN m.role = 'owner' THEN 1 ELSE m.can_write END"
    };
}

/// [`can_write_sql`] as a constant, for statements built with `format!`.
pub(super) const CAN_WRITE: &str = can_write_sql!();

/// A member's effective permissions, as SQL over `memberships m JOIN rooms r`.
pub(super) const RIGHTS: &str = concat!(
    can_write_sql!(),
    " AS can_write,
    CASE WHEN m.role = 'owner' THEN 1
         ELSE COALESCE(m.can_invite, CASE WHEN m.role = 'moderator' THEN 1 ELSE r.members_can_invite END) END AS can_invite,
    CASE WHEN m.role = 'owner' THEN 1
         ELSE COALESCE(m.can_moderate, CASE WHEN m.role = 'moderator' THEN 1 ELSE 0 END) END AS can_moderate"
);

/// Whether `user_id` is an active member of `room_id`, read on `conn` (in
/// the caller's transaction, if any): of a member's send that was refused
/// ([`super::message_inserts`]), whether it was for a mute or for no longer
/// being a member.
pub(super) async fn is_active_member_on(conn: &mut sqlx::AnyConnection, room_id: i64, user_id: i64) -> Result<bool, StoreError> {
    let found = sqlx::query_scalar::<_, i64>("SELECT 1 FROM memberships WHERE room_id = $1 AND user_id = $2 AND status = 'active'")
        .bind(room_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Queries on `rooms` and `memberships`.
pub struct Rooms<'a> {
    pub(super) pool: &'a AnyPool,
}

impl<'a> Rooms<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Rooms { pool }
    }

    /// Creates a room named `name` owned by `owner_id`, who becomes its first
    /// member, in one transaction. Returns the new room's id.
    pub async fn create(&self, name: &str, owner_id: i64, now_ms: i64) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (room_id,): (i64,) = sqlx::query_as(
            "INSERT INTO rooms (name, owner_id, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(owner_id)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO memberships (room_id, user_id, role, invite_id, joined_at)
             VALUES ($1, $2, 'owner', NULL, $3)",
        )
        .bind(room_id)
        .bind(owner_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(room_id)
    }

    /// The rooms `user_id` belongs to, most recently active first; teacher
    /// spaces are listed on their own ([`super::Spaces::for_user`]).
    pub async fn summaries_for_user(&self, user_id: i64) -> Result<Vec<RoomSummary>, StoreError> {
        Ok(sqlx::query_as::<_, RoomSummary>(
            "SELECT r.id, r.name, m.role,
                    (SELECT COUNT(*) FROM memberships c WHERE c.room_id = r.id AND c.status = 'active') AS member_count,
                    (SELECT COUNT(*) FROM messages x
                     WHERE x.room_id = r.id AND x.id > m.last_read_id AND x.author_id <> m.user_id
                       AND x.kind = 'text') AS unread
             FROM memberships m JOIN rooms r ON r.id = m.room_id
             WHERE m.user_id = $1 AND m.status = 'active'
               AND NOT EXISTS (SELECT 1 FROM spaces s WHERE s.room_id = r.id)
             ORDER BY COALESCE((SELECT MAX(id) FROM messages x WHERE x.room_id = r.id), 0) DESC,
                      r.id DESC",
        )
        .bind(user_id)
        .fetch_all(self.pool)
        .await?)
    }

    /// The rooms (teacher spaces too) `user_id` is an active member of, by id.
    pub async fn ids_for_user(&self, user_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT room_id FROM memberships WHERE user_id = $1 AND status = 'active' ORDER BY room_id")
            .bind(user_id)
            .fetch_all(self.pool)
            .await?)
    }

    /// The newest line id in any room `user_id` is an active member of (0
    /// for none): it grows with every line, edit and deletion there, so
    /// their room lists know when to read their unread counts again.
    pub async fn newest_line_for(&self, user_id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX((SELECT MAX(x.id) FROM messages x WHERE x.room_id = m.room_id)), 0)
             FROM memberships m WHERE m.user_id = $1 AND m.status = 'active'",
        )
        .bind(user_id)
        .fetch_one(self.pool)
        .await?)
    }

    /// Name and member count of a room, or `None` when it does not exist.
    pub async fn info(&self, room_id: i64) -> Result<Option<RoomInfo>, StoreError> {
        Ok(sqlx::query_as::<_, RoomInfo>(
            "SELECT r.id, r.name, r.description, r.member_limit, r.members_can_invite,
                    (SELECT COUNT(*) FROM memberships c WHERE c.room_id = r.id AND c.status = 'active') AS member_count
             FROM rooms r WHERE r.id = $1",
        )
        .bind(room_id)
        .fetch_optional(self.pool)
        .await?)
    }

    /// The role of `user_id` in `room_id`, or `None` when they are not a member.
    pub async fn role_of(&self, room_id: i64, user_id: i64) -> Result<Option<Role>, StoreError> {
        Ok(sqlx::query_scalar::<_, Role>(
            "SELECT role FROM memberships WHERE room_id = $1 AND user_id = $2 AND status = 'active'",
        )
        .bind(room_id)
        .bind(user_id)
        .fetch_optional(self.pool)
        .await?)
    }

    /// What `user_id` may do in `room_id`, or `None` when they are not a
    /// member. Permissions left unset follow the role (and, for inviting,
    /// the room's `members_can_invite`); the owner may do everything.
    pub async fn rights_of(&self, room_id: i64, user_id: i64) -> Result<Option<Rights>, StoreError> {
        let row = sqlx::query_as::<_, (Role, Flag, Flag, Flag)>(&format!(
            "SELECT m.role, {RIGHTS} FROM memberships m JOIN rooms r ON r.id = m.room_id
             WHERE m.room_id = $1 AND m.user_id = $2 AND m.status = 'active'"
        ))
        .bind(room_id)
        .bind(user_id)
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(|(role, can_write, can_invite, can_moderate)| Rights {
            role,
            can_write: can_write.0,
            can_invite: can_invite.0,
            can_moderate: can_moderate.0,
        }))
    }

    /// The members of a room with their rights and when each was last
    /// online, by name.
    pub async fn members(&self, room_id: i64) -> Result<Vec<MemberView>, StoreError> {
        let rows = sqlx::query_as::<_, (i64, String, Option<i64>, Role, Flag, Flag, Flag)>(&format!(
            "SELECT u.id, u.username, m.last_seen_at, m.role, {RIGHTS}
             FROM memberships m JOIN users u ON u.id = m.user_id JOIN rooms r ON r.id = m.room_id
             WHERE m.room_id = $1 AND m.status = 'active' ORDER BY u.username_key"
        ))
        .bind(room_id)
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, last_seen_at, role, can_write, can_invite, can_moderate)| MemberView {
                id,
                name,
                tag: None,
                rights: Some(Rights {
                    role,
                    can_write: can_write.0,
                    can_invite: can_invite.0,
                    can_moderate: can_moderate.0,
                }),
                last_seen_at,
            })
            .collect())
    }

    /// Sets a member's role and permissions (`None`: follow the role). The
    /// owner's row is never changed. Returns false when `user_id` is not an
    /// active non-owner member.
    pub async fn set_rights(
        &self,
        room_id: i64,
        user_id: i64,
        role: Role,
        can_write: bool,
        can_invite: Option<bool>,
        can_moderate: Option<bool>,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE memberships SET role = $3, can_write = $4, can_invite = $5, can_moderate = $6
             WHERE room_id = $1 AND user_id = $2 AND status = 'active' AND role <> 'owner'",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(role)
        .bind(Flag(can_write))
        .bind(can_invite.map(Flag))
        .bind(can_moderate.map(Flag))
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Mutes (`false`) or unmutes (`true`) a member, leaving their role and
    /// other permissions as they are. The owner's row is never changed.
    /// Returns false when `user_id` is not an active non-owner member.
    pub async fn set_can_write(&self, room_id: i64, user_id: i64, can_write: bool) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE memberships SET can_write = $3
             WHERE room_id = $1 AND user_id = $2 AND status = 'active' AND role <> 'owner'",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(Flag(can_write))
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Changes a room's description, member limit and whether plain members
    /// may make invite links. Values must be checked already.
    pub async fn update_settings(
        &self,
        room_id: i64,
        description: &str,
        member_limit: i64,
        members_can_invite: bool,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE rooms SET description = $2, member_limit = $3, members_can_invite = $4 WHERE id = $1")
            .bind(room_id)
            .bind(description)
            .bind(member_limit)
            .bind(Flag(members_can_invite))
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Ends `user_id`'s active membership with `status` (`Left`, `Removed`
    /// or `Banned`), done by `actor_id` (`None` when they left themselves).
    /// Banning someone who is not a member (any more) records the ban too.
    /// Returns false when there was nothing to change.
    pub async fn end_membership(
        &self,
        room_id: i64,
        user_id: i64,
        status: MembershipEnd,
        actor_id: Option<i64>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE memberships SET status = $3, status_at = $4, status_by = $5
             WHERE room_id = $1 AND user_id = $2 AND status <> 'banned'
               AND (status = 'active' OR $3 = 'banned')",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(status.as_str())
        .bind(now_ms)
        .bind(actor_id)
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Renames the room to `name` (already checked). Returns false when
    /// there is no such room.
    pub async fn rename(&self, room_id: i64, name: &str) -> Result<bool, StoreError> {
        let changed = sqlx::query("UPDATE rooms SET name = $2 WHERE id = $1").bind(room_id).bind(name).execute(self.pool).await?;
        Ok(changed.rows_affected() == 1)
    }

    /// Who is banned from `room_id`, most recently banned first.
    pub async fn banned(&self, room_id: i64) -> Result<Vec<BannedMember>, StoreError> {
        Ok(sqlx::query_as::<_, BannedMember>(
            "SELECT m.user_id, u.username AS name, COALESCE(m.status_at, m.joined_at) AS banned_at, b.username AS banned_by
             FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN users b ON b.id = m.status_by
             WHERE m.room_id = $1 AND m.status = 'banned'
             ORDER BY banned_at DESC, m.user_id",
        )
        .bind(room_id)
        .fetch_all(self.pool)
        .await?)
    }

    /// Lifts `user_id`'s ban from `room_id` (by `actor_id`): they are no
    /// longer a member, as after a removal, so any valid invite brings them
    /// back. Returns false when they were not banned.
    pub async fn lift_ban(&self, room_id: i64, user_id: i64, actor_id: i64, now_ms: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE memberships SET status = 'removed', status_at = $3, status_by = $4
             WHERE room_id = $1 AND user_id = $2 AND status = 'banned'",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(now_ms)
        .bind(actor_id)
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Records that a member has read a room up to message `up_to` (never backwards).
    pub async fn mark_read(&self, room_id: i64, user_id: i64, up_to: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE memberships SET last_read_id = CASE WHEN last_read_id < $3 THEN $3 ELSE last_read_id END
             WHERE room_id = $1 AND user_id = $2",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(up_to)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Records that a member was last online in a room at `now_ms`.
    pub async fn set_last_seen(&self, room_id: i64, user_id: i64, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE memberships SET last_seen_at = $3 WHERE room_id = $1 AND user_id = $2")
            .bind(room_id)
            .bind(user_id)
            .bind(now_ms)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}
