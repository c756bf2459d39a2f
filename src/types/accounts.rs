//! Accounts' shared types: who is logged in.

use serde::{Deserialize, Serialize};

/// The logged-in user as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// User id.
    pub id: i64,
    /// Username as they chose it.
    pub username: String,
}

/// What a deleted account's username becomes: `"deleted user #<id>"`
/// (issue 41). It holds a space, which no username may
/// ([`crate::accounts::rules::check_username`]), so nobody can take it,
/// sign up as it or log in with it, and each stays unique. Pages show it
/// as "deleted user" in the reader's language ([`is_deleted_username`]);
/// Discord shows "Deleted User" the same way.
pub fn deleted_username(user_id: i64) -> String {
    format!("{DELETED_USERNAME_PREFIX}{user_id}")
}

/// True for a name made by [`deleted_username`].
pub fn is_deleted_username(name: &str) -> bool {
    name.strip_prefix(DELETED_USERNAME_PREFIX).is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

const DELETED_USERNAME_PREFIX: &str = "deleted user #";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_username_is_told_apart_from_any_username() {
        assert_eq!(deleted_username(17), "deleted user #17");
        assert!(is_deleted_username(&deleted_username(17)));
        for name in ["deleted-user-17", "deleted user #", "deleted user #1a", "ana"] {
            assert!(!is_deleted_username(name), "{name}");
        }
    }
}
