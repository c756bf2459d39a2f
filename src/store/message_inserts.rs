//! Storing room lines: one line, or a batch of them in one statement (the
//! group commit writer's, [`super::group_commit`]). They are read back
//! through [`super::Messages`].

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{
    group_commit::NewLine,
    messages::{by_client_id, MessageRow},
    rooms::{is_active_member_on, CAN_WRITE},
    StoreError, WriteRefusal,
};
use crate::types::timeline::ChatMessage;

/// Stores `lines` on `conn` (in the caller's transaction, if any) in one
/// statement, whatever their number: a multi-row `INSERT … SELECT` that
/// stores a member's own send only where their membership may write (a
/// line marked `needs_write_right`), skips a line whose `(author_id,
/// client_id)` is stored already (a retry), and returns the stored lines
/// whole (`RETURNING`, names included). Each line's result, in order: the
/// line and whether it is new (`false`: stored before, and that line comes
/// back), or [`StoreError::NotAllowed`] for a refused send (nothing stored);
/// the same `(author_id, client_id)` twice in `lines` is new only the first
/// time. Only a retry or a refusal costs a further read, of that line.
///
/// One statement, because on SQLite every statement is a round trip to
/// sqlx's worker thread and back, and on a server's one core those thread
/// switches, not SQLite, were most of what storing cost (issue 6, S3: with
/// five statements per batch, 20 to 25 thread switches per line). Outside a
/// transaction the statement is its own (SQLite or PostgreSQL make it
/// atomic), which is how [`super::group_commit`] stores a batch of lines
/// alone.
///
/// If the statement fails (a line's room was deleted meanwhile), every
/// line is stored on its own instead, so only the bad one fails: on SQLite
/// a failed statement leaves a transaction usable (PostgreSQL would abort
/// it, so batches are SQLite's only). At most [`LINES_PER_STATEMENT`] lines.
pub(super) async fn insert_lines_on(conn: &mut AnyConnection, lines: &[&NewLine]) -> Vec<Result<(ChatMessage, bool), StoreError>> {
    match insert_together(conn, lines).await {
        Ok(stored) => stored,
        Err(e) if lines.len() > 1 => {
            tracing::debug!(error = %e, "a batch of lines was refused as a whole; storing them one by one");
            let mut stored = Vec::with_capacity(lines.len());
            for line in lines {
                let one = insert_together(conn, std::slice::from_ref(line)).await;
                stored.push(one.and_then(|mut one| one.pop().unwrap_or(Err(StoreError::Db(sqlx::Error::RowNotFound)))));
            }
            stored
        }
        Err(e) => vec![Err(e)],
    }
}

/// Most lines [`insert_lines_on`] takes: 10 parameters each, well under
/// SQLite's 32,766 (<https://sqlite.org/limits.html>) and PostgreSQL's 65,535.
pub(super) const LINES_PER_STATEMENT: usize = 256;

/// What the `INSERT` gives back of each stored line: the columns of
/// [`MessageRow`], as [`super::messages::SELECT_MESSAGE`] reads them (a line
/// stored here has no attachment).
const RETURNED: &str = "id, room_id, author_id,
    (SELECT u.username FROM users u WHERE u.id = messages.author_id) AS author_name,
    kind, client_id, body, created_at,
    (SELECT a.username FROM users a WHERE a.id = messages.actor_id) AS actor_name,
    invite_id,
    (SELECT i.label FROM invites i WHERE i.id = messages.invite_id) AS invite_label,
    target_id, edited_at,
    attachment_id, NULL AS attachment_kind, NULL AS content_type, NULL AS size_bytes,
    NULL AS width, NULL AS height, NULL AS duration_ms";

/// [`insert_lines_on`]'s statement, and the reads a retry or a refusal
/// needs. Errors: the statement's (nothing stored); a read's error is its line's.
async fn insert_together(conn: &mut AnyConnection, lines: &[&NewLine]) -> Result<Vec<Result<(ChatMessage, bool), StoreError>>, StoreError> {
    // `VALUES` columns are named column1, column2, … on SQLite and PostgreSQL
    // alike: the line's place, its eight columns, whether it needs the right to write.
    let sql = format!(
        "INSERT INTO messages (room_id, author_id, kind, actor_id, invite_id, client_id, body, created_at)
         SELECT v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9
         FROM (VALUES {}) AS v
         WHERE v.column10 = 0 OR EXISTS (
             SELECT 1 FROM memberships m
             WHERE m.room_id = v.column2 AND m.user_id = v.column3 AND m.status = 'active' AND {CAN_WRITE} <> 0)
         ORDER BY v.column1
         ON CONFLICT (author_id, client_id) DO NOTHING
         RETURNING {RETURNED}",
        super::Params::of(conn).rows(lines.len(), 10)
    );
    let mut insert = sqlx::query_as::<_, MessageRow>(&sql);
    for (place, line) in lines.iter().enumerate() {
        insert = insert
            .bind(place as i64)
            .bind(line.room_id)
            .bind(line.author_id)
            .bind(line.kind.as_str())
            .bind(line.actor_id)
            .bind(line.invite_id)
            .bind(&line.client_id)
            .bind(&line.body)
            .bind(line.created_at)
            .bind(i64::from(line.needs_write_right));
    }
    let mut fresh: HashMap<(i64, String), ChatMessage> = HashMap::with_capacity(lines.len());
    for row in insert.fetch_all(&mut *conn).await? {
        let message = ChatMessage::from(row);
        fresh.insert((message.author_id, message.client_id.clone()), message);
    }
    let mut stored = Vec::with_capacity(lines.len());
    for line in lines {
        // A line stored by this statement is new once; any other was there
        // before (a retry) or was refused.
        let result = match fresh.remove(&(line.author_id, line.client_id.clone())) {
            Some(message) => Ok((message, true)),
            None => not_stored(conn, line).await,
        };
        stored.push(result);
    }
    Ok(stored)
}

/// What became of `line`, which the statement did not store: the line a
/// retry repeats, or why a member's send was refused. Errors: a read's (the
/// statement stands, so this is the line's own error, not the batch's).
async fn not_stored(conn: &mut AnyConnection, line: &NewLine) -> Result<(ChatMessage, bool), StoreError> {
    match by_client_id(&mut *conn, line.author_id, &line.client_id).await? {
        Some(earlier) => Ok((earlier, false)),
        None if line.needs_write_right => Err(StoreError::NotAllowed(refusal_on(conn, line).await?)),
        None => Err(StoreError::Db(sqlx::Error::RowNotFound)),
    }
}

/// Why `line`, a member's own send, was not stored: muted (still a member,
/// or unmuted since the statement), or no longer an active member.
async fn refusal_on(conn: &mut AnyConnection, line: &NewLine) -> Result<WriteRefusal, StoreError> {
    Ok(if is_active_member_on(conn, line.room_id, line.author_id).await? { WriteRefusal::Muted } else { WriteRefusal::NotMember })
}
