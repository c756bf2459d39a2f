//! Storing room lines: one line, or a batch of them in three statements
//! (the group commit writer's, [`super::group_commit`]). They are read
//! back through [`super::Messages`].

use sqlx::AnyConnection;

use super::{
    group_commit::NewLine,
    messages::{by_client_id, MessageRow, SELECT_MESSAGE},
    StoreError, WriteRefusal,
};
use crate::live::ChatMessage;

/// Stores `line` on `conn` (in the caller's transaction, if any): the line
/// as stored, and whether it is new (`false`: the same `(author_id,
/// client_id)` was stored before, and that line comes back).
pub(super) async fn insert_line_on(conn: &mut AnyConnection, line: &NewLine) -> Result<(ChatMessage, bool), StoreError> {
    insert_together(conn, &[line]).await?.pop().ok_or(StoreError::Db(sqlx::Error::RowNotFound))
}

/// Stores `lines` on `conn` in three statements, whatever their number: one
/// read of the rights of the senders whose lines need them (a refused line
/// gets [`StoreError::NotAllowed`] and is not stored), one multi-row
/// `INSERT` and one `SELECT` of what it stored (used by
/// [`super::group_commit`] inside its transaction). Each line's result, in
/// order, as [`insert_line_on`] gives it; the same `(author_id, client_id)`
/// twice in `lines` is new only the first time. If the `INSERT` fails (a
/// line's room was deleted meanwhile), every line is stored on its own
/// instead, so only the bad one fails: on SQLite a failed statement leaves
/// the transaction usable (PostgreSQL would abort it, so the writer is
/// SQLite's only). At most [`LINES_PER_STATEMENT`] lines.
pub(super) async fn insert_lines_on(conn: &mut AnyConnection, lines: &[&NewLine]) -> Vec<Result<(ChatMessage, bool), StoreError>> {
    // Members' own sends: one read of everyone's rights, on this connection
    // (inside the writer's transaction), instead of one read per send.
    let refusals = match refusals_on(conn, lines).await {
        Ok(refusals) => refusals,
        Err(e) => {
            let failed = |_| Err(StoreError::Db(sqlx::Error::Protocol(format!("rights not read: {e}"))));
            return lines.iter().map(failed).collect();
        }
    };
    let allowed: Vec<&NewLine> = lines.iter().zip(&refusals).filter(|(_, r)| r.is_none()).map(|(l, _)| *l).collect();
    let mut stored = insert_allowed_on(conn, &allowed).await.into_iter();
    refusals
        .into_iter()
        .map(|refusal| match refusal {
            Some(why) => Err(StoreError::NotAllowed(why)),
            None => stored.next().unwrap_or(Err(StoreError::Db(sqlx::Error::RowNotFound))),
        })
        .collect()
}

/// Why each of `lines` may not be stored (`None`: it may): a line marked
/// `needs_write_right` needs an active membership that may write.
async fn refusals_on(conn: &mut AnyConnection, lines: &[&NewLine]) -> Result<Vec<Option<WriteRefusal>>, StoreError> {
    let pairs: Vec<(i64, i64)> = lines.iter().filter(|l| l.needs_write_right).map(|l| (l.room_id, l.author_id)).collect();
    let rights = super::rooms::write_rights_on(conn, &pairs).await?;
    Ok(lines
        .iter()
        .map(|line| match (line.needs_write_right, rights.get(&(line.room_id, line.author_id))) {
            (false, _) | (true, Some(true)) => None,
            (true, Some(false)) => Some(WriteRefusal::Muted),
            (true, None) => Some(WriteRefusal::NotMember),
        })
        .collect())
}

/// [`insert_lines_on`] for lines already allowed.
async fn insert_allowed_on(conn: &mut AnyConnection, lines: &[&NewLine]) -> Vec<Result<(ChatMessage, bool), StoreError>> {
    if lines.is_empty() {
        return Vec::new();
    }
    match insert_together(conn, lines).await {
        Ok(stored) => stored.into_iter().map(Ok).collect(),
        Err(e) => {
            tracing::debug!(error = %e, "a batch of lines was refused as a whole; storing them one by one");
            let mut stored = Vec::with_capacity(lines.len());
            for line in lines {
                stored.push(insert_line_on(conn, line).await);
            }
            stored
        }
    }
}

/// Most lines [`insert_lines_on`] takes: 8 parameters each, well under
/// SQLite's 32,766 (<https://sqlite.org/limits.html>).
pub(super) const LINES_PER_STATEMENT: usize = 256;

/// Stores `lines` in one `INSERT` and reads them back in one `SELECT` (a
/// line stored before, by a retry, is read by its client id); each line's
/// result in order. Errors: the first statement that failed.
async fn insert_together(conn: &mut AnyConnection, lines: &[&NewLine]) -> Result<Vec<(ChatMessage, bool)>, StoreError> {
    let params = super::Params::of(conn);
    let sql = format!(
        "INSERT INTO messages (room_id, author_id, kind, actor_id, invite_id, client_id, body, created_at)
         VALUES {}
         ON CONFLICT (author_id, client_id) DO NOTHING
         RETURNING id",
        params.rows(lines.len(), 8)
    );
    let mut insert = sqlx::query_scalar::<_, i64>(&sql);
    for line in lines {
        insert = insert
            .bind(line.room_id)
            .bind(line.author_id)
            .bind(line.kind.as_str())
            .bind(line.actor_id)
            .bind(line.invite_id)
            .bind(&line.client_id)
            .bind(&line.body)
            .bind(line.created_at);
    }
    let ids = insert.fetch_all(&mut *conn).await?;
    let mut fresh = std::collections::HashMap::new();
    if !ids.is_empty() {
        let marks = (1..=ids.len()).map(|k| params.nth(k)).collect::<Vec<_>>().join(", ");
        let sql = format!("{SELECT_MESSAGE} WHERE m.id IN ({marks})");
        let mut select = sqlx::query_as::<_, MessageRow>(&sql);
        for id in &ids {
            select = select.bind(id);
        }
        for row in select.fetch_all(&mut *conn).await? {
            let message = ChatMessage::from(row);
            fresh.insert((message.author_id, message.client_id.clone()), message);
        }
    }
    let mut stored = Vec::with_capacity(lines.len());
    for line in lines {
        // A line stored by this statement is new once; any other was there before.
        match fresh.remove(&(line.author_id, line.client_id.clone())) {
            Some(message) => stored.push((message, true)),
            None => {
                let earlier = by_client_id(&mut *conn, line.author_id, &line.client_id).await?;
                stored.push((earlier.ok_or(sqlx::Error::RowNotFound)?, false));
            }
        }
    }
    Ok(stored)
}
