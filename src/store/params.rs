//! How statements built at run time (a multi-row `INSERT`, a `VALUES`
//! list) name their parameters on each database.

/// How a statement built at run time (a multi-row `INSERT`, a `VALUES`
/// list) names its parameters on a connection.
///
/// PostgreSQL numbers them (`$1`, `$2`…). On SQLite they are left unnamed
/// (`?`) and bound in the order they appear, so such a statement must use
/// each parameter once, in order. Why: sqlx binds each SQLite parameter by
/// asking its name (`sqlite3_bind_parameter_name`, sqlx-sqlite 0.8
/// `arguments.rs`), and SQLite finds a name by walking the statement's list
/// of names (`sqlite3VListNumToName`), so binding `n` numbered parameters
/// takes `n²` steps; the group commit writer's statements bind up to 2,048.
/// `perf` put that walk at 4% of the server core under S3 (`crate::bench`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Params {
    /// `$k`: PostgreSQL.
    Numbered,
    /// `?`: SQLite.
    InOrder,
}

impl Params {
    /// The style `conn`'s database takes.
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Params {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") { Params::InOrder } else { Params::Numbered }
    }

    /// The placeholder of parameter `k` (counted from 1).
    pub(crate) fn nth(self, k: usize) -> String {
        match self {
            Params::Numbered => format!("${k}"),
            Params::InOrder => "?".to_owned(),
        }
    }

    /// A `VALUES` list of `rows` rows of `width` parameters each, numbered
    /// row by row from 1: `($1, $2), ($3, $4)` or `(?, ?), (?, ?)`.
    pub(crate) fn rows(self, rows: usize, width: usize) -> String {
        (0..rows)
            .map(|row| format!("({})", (1..=width).map(|k| self.nth(row * width + k)).collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Backend, Store};

    /// Statements built at run time leave their parameters unnamed on
    /// SQLite (bound in order, without sqlx's lookup by name) and number
    /// them on PostgreSQL, on the database the tests run on.
    #[tokio::test]
    async fn run_time_statements_name_parameters_as_their_database_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&crate::store::test_database::fresh_database_url(dir.path()).await).await.unwrap();
        let conn = store.pool().acquire().await.unwrap();
        let params = Params::of(&conn);
        match store.backend() {
            Backend::Sqlite => assert_eq!((params, params.nth(3)), (Params::InOrder, "?".to_owned())),
            Backend::Postgres => assert_eq!((params, params.nth(3)), (Params::Numbered, "$3".to_owned())),
        }
        assert_eq!(Params::Numbered.rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(Params::InOrder.rows(2, 2), "(?, ?), (?, ?)");
    }
}
