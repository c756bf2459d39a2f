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
