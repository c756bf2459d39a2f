//! Teacher spaces and language invites. A space is a room (owner: the
//! teacher; one member: the student) with a row in `spaces` naming the
//! language. Only the SHA-256 hash of a language invite's token is stored.
//! A language invite's state is derived from `used_at`, `revoked_at` and
//! `expires_at` ([`LanguageInviteStatus::of`]).

use sqlx::AnyPool;

use super::StoreError;
use crate::types::spaces::{LanguageInviteStatus, LanguageInviteSummary, SpaceSummary};

/// A usable language invite, as its preview page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LanguageInviteRow {
    /// Invite id.
    pub id: i64,
    /// The teacher who made it.
    pub teacher_id: i64,
    /// Their username.
    pub teacher: String,
    /// The language, as the teacher wrote it.
    pub language: String,
    /// Expiry, Unix ms; `None` never expires.
    pub expires_at: Option<i64>,
}

/// What accepting a language invite came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaceAccepted {
    /// A new space was made; the invite is used and the user is a student.
    Created {
        /// The space's room.
        room_id: i64,
    },
    /// The student had left (or been removed from) the space for this
    /// teacher and language: they are back in it, and the invite is used.
    Rejoined {
        /// The space's room.
        room_id: i64,
    },
    /// Unknown, used, expired or revoked: nothing changed.
    Invalid,
    /// The teacher tried to accept their own invite: nothing changed.
    OwnInvite,
    /// The student already has a space with this teacher for this language
    /// (compared ignoring case): nothing changed.
    AlreadyHasSpace {
        /// That space's room.
        room_id: i64,
        /// Its language as first written.
        language: String,
        /// The teacher's username.
        teacher: String,
    },
    /// The teacher banned the student from that space: nothing changed.
    Banned,
}

/// What revoking a language invite came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageRevoke {
    /// It no longer works.
    Revoked,
    /// No such invite, or another teacher's.
    NotYours,
    /// A student used it already; it cannot be revoked.
    Used,
    /// It was revoked already.
    AlreadyRevoked,
}

/// Queries on `spaces` and `language_invites`.
pub struct Spaces<'a> {
    pool: &'a AnyPool,
}

#[derive(sqlx::FromRow)]
struct InviteListRow {
    id: i64,
    language: String,
    created_at: i64,
    expires_at: Option<i64>,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    student: Option<String>,
    space_id: Option<i64>,
}

/// The space (with the student's membership status) for a teacher, student
/// and lower-cased language.
const EXISTING_SPACE: &str = "
    SELECT s.room_id, s.language, m.status FROM spaces s
    LEFT JOIN memberships m ON m.room_id = s.room_id AND m.user_id = s.student_id
    WHERE s.teacher_id = $1 AND s.student_id = $2 AND s.language_key = $3";

impl<'a> Spaces<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Spaces { pool }
    }

    /// Stores a new language invite by `teacher_id` and returns its id.
    /// `language` is checked already ([`crate::spaces::check_language`]).
    pub async fn create_invite(
        &self,
        teacher_id: i64,
        token_hash: &str,
        language: &str,
        now_ms: i64,
        expires_at_ms: Option<i64>,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO language_invites (token_hash, teacher_id, language, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(teacher_id)
        .bind(language)
        .bind(now_ms)
        .bind(expires_at_ms)
        .fetch_one(self.pool)
        .await?)
    }

    /// The language invite with this token hash if it can be used at
    /// `now_ms`; `None` when unknown, used, expired or revoked. Reads only.
    pub async fn find_usable(&self, token_hash: &str, now_ms: i64) -> Result<Option<LanguageInviteRow>, StoreError> {
        Ok(sqlx::query_as::<_, LanguageInviteRow>(
            "SELECT li.id, li.teacher_id, t.username AS teacher, li.language, li.expires_at
             FROM language_invites li JOIN users t ON t.id = li.teacher_id
             WHERE li.token_hash = $1 AND li.used_at IS NULL AND li.revoked_at IS NULL
               AND (li.expires_at IS NULL OR li.expires_at > $2)",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(self.pool)
        .await?)
    }

    /// The space `student_id` has with `teacher_id` for `language` (ignoring
    /// case) and is still in, if any.
    pub async fn active_space(&self, teacher_id: i64, student_id: i64, language: &str) -> Result<Option<i64>, StoreError> {
        let found: Option<(i64, String, Option<String>)> = sqlx::query_as(EXISTING_SPACE)
            .bind(teacher_id)
            .bind(student_id)
            .bind(language.to_lowercase())
            .fetch_optional(self.pool)
            .await?;
        Ok(found.and_then(|(room_id, _, status)| (status.as_deref() == Some("active")).then_some(room_id)))
    }

    /// Accepts a language invite for `student_id` in one `BEGIN IMMEDIATE`
    /// transaction: checks it is usable and not the student's own, then makes
    /// the space (a room with member limit 2 and no member invites, the
    /// teacher as owner and the student as member, and its `spaces` row), marks
    /// the invite used (when, by whom, which space) and gives the student the
    /// student role. A student who left their space for this teacher and
    /// language is let back into it instead of getting a second one.
    pub async fn accept(&self, token_hash: &str, student_id: i64, now_ms: i64) -> Result<SpaceAccepted, StoreError> {
        let mut tx = super::begin_write(self.pool).await?;
        let found: Option<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT li.id, li.teacher_id, t.username, li.language
             FROM language_invites li JOIN users t ON t.id = li.teacher_id
             WHERE li.token_hash = $1 AND li.used_at IS NULL AND li.revoked_at IS NULL
               AND (li.expires_at IS NULL OR li.expires_at > $2)",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((invite_id, teacher_id, teacher, language)) = found else {
            return Ok(SpaceAccepted::Invalid);
        };
        if teacher_id == student_id {
            return Ok(SpaceAccepted::OwnInvite);
        }
        let key = language.to_lowercase();
        let existing: Option<(i64, String, Option<String>)> = sqlx::query_as(EXISTING_SPACE)
            .bind(teacher_id)
            .bind(student_id)
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
        let (room_id, outcome) = match existing {
            Some((room_id, language, Some(status))) if status == "active" => {
                return Ok(SpaceAccepted::AlreadyHasSpace { room_id, language, teacher });
            }
            Some((_, _, Some(status))) if status == "banned" => return Ok(SpaceAccepted::Banned),
            Some((room_id, _, _)) => {
                sqlx::query(
                    "UPDATE memberships SET status = 'active', joined_at = $3, status_at = $3, status_by = NULL
                     WHERE room_id = $1 AND user_id = $2",
                )
                .bind(room_id)
                .bind(student_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                (room_id, SpaceAccepted::Rejoined { room_id })
            }
            None => {
                let room_id = create_space(&mut tx, teacher_id, student_id, &language, &key, now_ms).await?;
                (room_id, SpaceAccepted::Created { room_id })
            }
        };
        let used = sqlx::query(
            "UPDATE language_invites SET used_at = $2, used_by = $3, space_id = $4 WHERE id = $1 AND used_at IS NULL",
        )
        .bind(invite_id)
        .bind(now_ms)
        .bind(student_id)
        .bind(room_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used != 1 {
            return Ok(SpaceAccepted::Invalid);
        }
        sqlx::query("UPDATE users SET is_student = 1 WHERE id = $1").bind(student_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Every language invite `teacher_id` made: pending first, then newest first.
    pub async fn invites_by(&self, teacher_id: i64, now_ms: i64) -> Result<Vec<LanguageInviteSummary>, StoreError> {
        let rows = sqlx::query_as::<_, InviteListRow>(
            "SELECT li.id, li.language, li.created_at, li.expires_at, li.used_at, li.revoked_at,
                    s.username AS student, li.space_id
             FROM language_invites li LEFT JOIN users s ON s.id = li.used_by
             WHERE li.teacher_id = $1",
        )
        .bind(teacher_id)
        .fetch_all(self.pool)
        .await?;
        let mut list: Vec<LanguageInviteSummary> = rows
            .into_iter()
            .map(|r| LanguageInviteSummary {
                status: LanguageInviteStatus::of(r.used_at.is_some(), r.revoked_at.is_some(), r.expires_at, now_ms),
                id: r.id,
                language: r.language,
                created_at: r.created_at,
                expires_at: r.expires_at,
                used_at: r.used_at,
                student: r.student,
                space_id: r.space_id,
            })
            .collect();
        list.sort_by_key(|i| (i.status != LanguageInviteStatus::Pending, std::cmp::Reverse(i.id)));
        Ok(list)
    }

    /// How many of `teacher_id`'s language invites are pending at `now_ms`.
    pub async fn pending_count(&self, teacher_id: i64, now_ms: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM language_invites
             WHERE teacher_id = $1 AND used_at IS NULL AND revoked_at IS NULL
               AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(teacher_id)
        .bind(now_ms)
        .fetch_one(self.pool)
        .await?)
    }

    /// Revokes an unused language invite; only its teacher may.
    pub async fn revoke(&self, invite_id: i64, teacher_id: i64, now_ms: i64) -> Result<LanguageRevoke, StoreError> {
        let mut tx = super::begin_write(self.pool).await?;
        let found: Option<(i64, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT teacher_id, used_at, revoked_at FROM language_invites WHERE id = $1")
                .bind(invite_id)
                .fetch_optional(&mut *tx)
                .await?;
        let outcome = match found {
            Some((owner, _, _)) if owner != teacher_id => LanguageRevoke::NotYours,
            None => LanguageRevoke::NotYours,
            Some((_, Some(_), _)) => LanguageRevoke::Used,
            Some((_, None, Some(_))) => LanguageRevoke::AlreadyRevoked,
            Some((_, None, None)) => {
                sqlx::query("UPDATE language_invites SET revoked_at = $2 WHERE id = $1")
                    .bind(invite_id)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                LanguageRevoke::Revoked
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// The spaces `user_id` is in, as teacher or student, by language (ignoring
    /// case) and then the other person's name, with unread counts.
    pub async fn for_user(&self, user_id: i64) -> Result<Vec<SpaceSummary>, StoreError> {
        Ok(sqlx::query_as::<_, SpaceSummary>(
            "SELECT s.room_id, s.language, t.username AS teacher, st.username AS student,
                    CASE WHEN s.teacher_id = $1 THEN 1 ELSE 0 END AS i_teach, s.created_at,
                    (SELECT COUNT(*) FROM messages x
                     WHERE x.room_id = s.room_id AND x.id > m.last_read_id AND x.author_id <> m.user_id
                       AND x.kind = 'text') AS unread
             FROM spaces s
             JOIN memberships m ON m.room_id = s.room_id AND m.user_id = $1 AND m.status = 'active'
             JOIN users t ON t.id = s.teacher_id JOIN users st ON st.id = s.student_id
             ORDER BY s.language_key,
                      CASE WHEN s.teacher_id = $1 THEN st.username_key ELSE t.username_key END",
        )
        .bind(user_id)
        .fetch_all(self.pool)
        .await?)
    }

    /// True when `room_id` is a teacher space.
    pub async fn is_space(&self, room_id: i64) -> Result<bool, StoreError> {
        let exists: super::Flag = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM spaces WHERE room_id = $1)")
            .bind(room_id)
            .fetch_one(self.pool)
            .await?;
        Ok(exists.0)
    }

    /// The space in `room_id`, if that room is one, as `user_id` sees it.
    pub async fn of_room(&self, room_id: i64, user_id: i64) -> Result<Option<SpaceSummary>, StoreError> {
        Ok(sqlx::query_as::<_, SpaceSummary>(
            "SELECT s.room_id, s.language, t.username AS teacher, st.username AS student,
                    CASE WHEN s.teacher_id = $2 THEN 1 ELSE 0 END AS i_teach, s.created_at, 0 AS unread
             FROM spaces s JOIN users t ON t.id = s.teacher_id JOIN users st ON st.id = s.student_id
             WHERE s.room_id = $1",
        )
        .bind(room_id)
        .bind(user_id)
        .fetch_optional(self.pool)
        .await?)
    }
}

/// Makes the room, both memberships and the `spaces` row; the room's id.
async fn create_space(
    tx: &mut sqlx::AnyConnection,
    teacher_id: i64,
    student_id: i64,
    language: &str,
    key: &str,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let room_id: i64 = sqlx::query_scalar(
        "INSERT INTO rooms (name, owner_id, created_at, member_limit, members_can_invite)
         VALUES ($1, $2, $3, 2, 0) RETURNING id",
    )
    .bind(language)
    .bind(teacher_id)
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (room_id, user_id, role, invite_id, joined_at)
         VALUES ($1, $2, 'owner', NULL, $4), ($1, $3, 'member', NULL, $4)",
    )
    .bind(room_id)
    .bind(teacher_id)
    .bind(student_id)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO spaces (room_id, teacher_id, student_id, language, language_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(room_id)
    .bind(teacher_id)
    .bind(student_id)
    .bind(language)
    .bind(key)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    Ok(room_id)
}
