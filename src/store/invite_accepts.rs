//! Accepting invite links several at a time, inside one write transaction
//! (issue 6, S5).
//!
//! One accept used to be its own transaction of five round trips to the
//! database (`BEGIN IMMEDIATE`, read, count the use, insert the membership,
//! `COMMIT`), and on SQLite every commit appends its own copies of the
//! invite's and the memberships' pages to the write-ahead log. Here a group
//! of accepts costs one read of everything they need, one `UPDATE` per
//! distinct link and one multi-row `INSERT` of memberships; on SQLite the
//! group commit writer ([`super::group_commit`]) runs them beside waiting
//! room lines in one transaction. PostgreSQL runs groups of one.
//!
//! The rules are those of one accept at a time, applied in the order the
//! accepts arrived, each seeing the ones before it: a link accepted up to its
//! maximum answers [`Accepted::UsedUp`] to the next, a room filled by the
//! group answers [`Accepted::RoomFull`], and the same person twice (the same
//! room through two links, or a double click) is [`Accepted::AlreadyMember`]
//! the second time. Checks, in order: the link exists, is not revoked and
//! has not expired (else [`Accepted::Invalid`]); the person is not an active
//! member nor banned; the link does not need approval, or a moderator gave
//! it (else [`Accepted::NeedsApproval`]); the room is below its member limit; the link is below
//! its maximum uses.

use std::collections::{HashMap, HashSet};

use sqlx::AnyConnection;

use super::{Accepted, Params, StoreError};
use crate::types::rooms::Role;

/// One person accepting one invite link.
#[derive(Debug, Clone)]
pub(super) struct Acceptance {
    /// Hex SHA-256 of the link's token.
    pub token_hash: String,
    /// Who accepts.
    pub user_id: i64,
    /// When, Unix ms (the link must not have expired by then).
    pub now_ms: i64,
    /// A moderator approved this person's join request: the link's
    /// `needs_approval` does not stop them (every other rule still does).
    pub approved: bool,
}

/// Most accepts [`accept_all_on`] takes: 5 parameters each in the
/// `INSERT`, well under SQLite's 32,766 (<https://sqlite.org/limits.html>)
/// and PostgreSQL's 65,535.
pub(super) const ACCEPTS_PER_GROUP: usize = 256;

/// What the one read finds for an accept whose link is usable now.
#[derive(sqlx::FromRow)]
struct UsableInvite {
    /// Index of the accept in the group.
    n: i64,
    invite_id: i64,
    room_id: i64,
    creator_id: i64,
    role: Role,
    member_limit: i64,
    uses: i64,
    max_uses: Option<i64>,
    #[sqlx(try_from = "crate::store::Flag")]
    needs_approval: bool,
    /// This person's membership of the room, if they ever had one.
    status: Option<String>,
    /// Active members of the room before the group.
    members: i64,
}

/// The read: for every accept, its link if usable at its time, the room's
/// limit and count of members, and the person's earlier membership.
fn read_sql(params: Params, count: usize) -> String {
    let asked = (0..count)
        .map(|i| {
            let p = |k: usize| params.nth(i * 4 + k);
            format!("(CAST({} AS BIGINT), {}, CAST({} AS BIGINT), CAST({} AS BIGINT))", p(1), p(2), p(3), p(4))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH asked (n, token_hash, user_id, now_ms) AS (VALUES {asked})
         SELECT a.n, i.id AS invite_id, i.room_id, i.created_by AS creator_id, i.role, r.member_limit,
                i.uses, i.max_uses, i.needs_approval, m.status,
                (SELECT COUNT(*) FROM memberships c WHERE c.room_id = i.room_id AND c.status = 'active') AS members
         FROM asked a
         JOIN invites i ON i.token_hash = a.token_hash
         JOIN rooms r ON r.id = i.room_id
         LEFT JOIN memberships m ON m.room_id = i.room_id AND m.user_id = a.user_id
         WHERE i.revoked_at IS NULL AND (i.expires_at IS NULL OR i.expires_at > a.now_ms)"
    )
}

/// Accepts every one of `asks` on `conn`, which must be inside a
/// transaction from [`super::begin_write`] (so nothing else writes between
/// the read and the writes). Answers in the order of `asks`. At most
/// [`ACCEPTS_PER_GROUP`].
///
/// Errors: the first statement that failed (for example a membership whose
/// person was deleted meanwhile). The transaction must then be rolled back:
/// part of the group may be written. [`super::group_commit`] then accepts
/// each on its own, so only the bad one fails.
pub(super) async fn accept_all_on(conn: &mut AnyConnection, asks: &[&Acceptance]) -> Result<Vec<Accepted>, StoreError> {
    if asks.is_empty() {
        return Ok(Vec::new());
    }
    let sql = read_sql(Params::of(conn), asks.len());
    let mut read = sqlx::query_as::<_, UsableInvite>(&sql);
    for (n, ask) in asks.iter().enumerate() {
        read = read.bind(n as i64).bind(ask.token_hash.as_str()).bind(ask.user_id).bind(ask.now_ms);
    }
    let found: HashMap<i64, UsableInvite> = read.fetch_all(&mut *conn).await?.into_iter().map(|f| (f.n, f)).collect();
    let mut answers = decide(asks, &found);
    write(conn, asks, &mut answers, &found).await?;
    Ok(answers)
}

/// Applies the rules to each accept in turn (module documentation).
fn decide(asks: &[&Acceptance], found: &HashMap<i64, UsableInvite>) -> Vec<Accepted> {
    let mut members: HashMap<i64, i64> = HashMap::new();
    let mut uses: HashMap<i64, i64> = HashMap::new();
    let mut joined: HashSet<(i64, i64)> = HashSet::new();
    let mut answers = Vec::with_capacity(asks.len());
    for (n, ask) in asks.iter().enumerate() {
        let Some(f) = found.get(&(n as i64)) else {
            answers.push(Accepted::Invalid);
            continue;
        };
        let room_id = f.room_id;
        if joined.contains(&(room_id, ask.user_id)) || f.status.as_deref() == Some("active") {
            answers.push(Accepted::AlreadyMember { room_id });
            continue;
        }
        if f.status.as_deref() == Some("banned") {
            answers.push(Accepted::Banned);
            continue;
        }
        if f.needs_approval && !ask.approved {
            answers.push(Accepted::NeedsApproval { room_id, invite_id: f.invite_id });
            continue;
        }
        let count = members.entry(room_id).or_insert(f.members);
        if *count >= f.member_limit {
            answers.push(Accepted::RoomFull { limit: f.member_limit });
            continue;
        }
        let used = uses.entry(f.invite_id).or_insert(f.uses);
        if f.max_uses.is_some_and(|max| *used >= max) {
            answers.push(Accepted::UsedUp);
            continue;
        }
        *count += 1;
        *used += 1;
        joined.insert((room_id, ask.user_id));
        answers.push(Accepted::Joined { room_id, invite_id: f.invite_id, creator_id: f.creator_id });
    }
    answers
}

/// Counts the uses (one `UPDATE` per link) and writes the memberships (one
/// `INSERT`, reactivating former members) of the accepts answered `Joined`.
/// A link whose use count cannot be moved (revoked meanwhile through a
/// connection that revokes without the write lock, as on a second
/// PostgreSQL node) turns its accepts into [`Accepted::Invalid`].
async fn write(conn: &mut AnyConnection, asks: &[&Acceptance], answers: &mut [Accepted], found: &HashMap<i64, UsableInvite>) -> Result<(), StoreError> {
    let mut per_link: Vec<(i64, i64)> = Vec::new();
    for answer in answers.iter() {
        if let Accepted::Joined { invite_id, .. } = answer {
            match per_link.iter_mut().find(|(id, _)| id == invite_id) {
                Some((_, count)) => *count += 1,
                None => per_link.push((*invite_id, 1)),
            }
        }
    }
    for (invite_id, count) in per_link {
        let counted = sqlx::query(
            "UPDATE invites SET uses = uses + $2
             WHERE id = $1 AND revoked_at IS NULL AND (max_uses IS NULL OR uses + $2 <= max_uses)",
        )
        .bind(invite_id)
        .bind(count)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if counted == 0 {
            for answer in answers.iter_mut() {
                if matches!(answer, Accepted::Joined { invite_id: id, .. } if *id == invite_id) {
                    *answer = Accepted::Invalid;
                }
            }
        }
    }
    let rows: Vec<(&Acceptance, &UsableInvite)> = answers
        .iter()
        .enumerate()
        .filter(|(_, answer)| matches!(answer, Accepted::Joined { .. }))
        .filter_map(|(n, _)| Some((asks[n], found.get(&(n as i64))?)))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let values = Params::of(conn).rows(rows.len(), 5);
    let sql = format!(
        "INSERT INTO memberships (room_id, user_id, role, invite_id, joined_at)
         VALUES {values}
         ON CONFLICT (room_id, user_id) DO UPDATE SET
             status = 'active', role = excluded.role, invite_id = excluded.invite_id,
             joined_at = excluded.joined_at, status_at = excluded.joined_at, status_by = NULL,
             can_invite = NULL, can_moderate = NULL
         WHERE memberships.status IN ('left', 'removed')"
    );
    let mut insert = sqlx::query(&sql);
    for (ask, f) in rows {
        insert = insert.bind(f.room_id).bind(ask.user_id).bind(f.role).bind(f.invite_id).bind(ask.now_ms);
    }
    insert.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MembershipEnd, NewInvite, Store};

    fn link(room_id: i64, hash: &str, expires_at_ms: Option<i64>, max_uses: Option<i64>) -> NewInvite<'_> {
        NewInvite { room_id, token_hash: hash, created_by: 1, now_ms: 0, expires_at_ms, max_uses, label: "", role: Role::Member, needs_approval: false }
    }

    fn ask(token_hash: &str, user_id: i64) -> Acceptance {
        Acceptance { token_hash: token_hash.into(), user_id, now_ms: 1_000, approved: false }
    }

    /// One group in which every rule comes into play, on the database the
    /// tests run on (SQLite, or PostgreSQL in CI): each accept sees the ones
    /// before it, exactly as if they had come one at a time.
    #[tokio::test]
    async fn a_group_of_accepts_follows_the_rules_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&crate::store::test_database::fresh_database_url(dir.path()).await).await.unwrap();
        for i in 1..=11 {
            store.users().create(&format!("user{i}"), "not-a-real-hash", 0).await.unwrap();
        }
        let (rooms, invites) = (store.rooms(), store.invites());
        let big = rooms.create("Big", 1, 0).await.unwrap();
        rooms.update_settings(big, "", 100, true).await.unwrap();
        let small = rooms.create("Small", 1, 0).await.unwrap();
        rooms.update_settings(small, "", 2, true).await.unwrap();
        let two_uses = invites.create(link(big, "two-uses", None, Some(2))).await.unwrap();
        let open = invites.create(link(big, "open", None, None)).await.unwrap();
        invites.create(link(small, "small", None, None)).await.unwrap();
        invites.create(link(big, "expired", Some(500), None)).await.unwrap();
        // User 6 was banned from the big room; user 9 left it.
        for (user, end) in [(6, MembershipEnd::Banned), (9, MembershipEnd::Left)] {
            assert!(matches!(invites.accept("open", user, 0).await.unwrap(), Accepted::Joined { .. }));
            assert!(rooms.end_membership(big, user, end, Some(1), 0).await.unwrap());
        }

        let group = [
            ask("two-uses", 2),
            ask("two-uses", 2), // a double click
            ask("open", 2),     // the same room through another link
            ask("two-uses", 3),
            ask("two-uses", 4), // its third use
            ask("nope", 5),
            ask("open", 6),
            ask("small", 7),
            ask("small", 8), // the owner and user 7 fill it
            ask("open", 9),
            ask("expired", 10),
        ];
        let asks: Vec<&Acceptance> = group.iter().collect();
        let mut tx = crate::store::begin_write(store.pool()).await.unwrap();
        let answers = accept_all_on(&mut tx, &asks).await.unwrap();
        tx.commit().await.unwrap();

        let joined = |room_id, invite_id| Accepted::Joined { room_id, invite_id, creator_id: 1 };
        let small_link: i64 = sqlx::query_scalar("SELECT id FROM invites WHERE token_hash = 'small'").fetch_one(store.pool()).await.unwrap();
        assert_eq!(
            answers,
            vec![
                joined(big, two_uses),
                Accepted::AlreadyMember { room_id: big },
                Accepted::AlreadyMember { room_id: big },
                joined(big, two_uses),
                Accepted::UsedUp,
                Accepted::Invalid,
                Accepted::Banned,
                joined(small, small_link),
                Accepted::RoomFull { limit: 2 },
                joined(big, open),
                Accepted::Invalid,
            ]
        );
        let uses: Vec<(String, i64)> = sqlx::query_as("SELECT token_hash, uses FROM invites ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
        let uses: Vec<(&str, i64)> = uses.iter().map(|(h, u)| (h.as_str(), *u)).collect();
        assert_eq!(uses, [("two-uses", 2), ("open", 3), ("small", 1), ("expired", 0)], "the group counted 2, 1 and 1 uses");
        let statuses: Vec<(i64, i64, String)> =
            sqlx::query_as("SELECT room_id, user_id, status FROM memberships WHERE user_id > 1 ORDER BY room_id, user_id")
                .fetch_all(store.pool())
                .await
                .unwrap();
        let active = |room, user| (room, user, "active".to_string());
        assert_eq!(
            statuses,
            [active(big, 2), active(big, 3), (big, 6, "banned".into()), active(big, 9), active(small, 7)],
            "user 9 is back; nobody else got in"
        );
    }
}
