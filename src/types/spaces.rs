//! Teacher spaces' shared types: a language invite's state and how the
//! dashboard and the home page show invites and spaces.

use serde::{Deserialize, Serialize};

/// The state of a language invite. Checked in this order: used, revoked,
/// expired, pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageInviteStatus {
    /// Works: not used, revoked or expired.
    Pending,
    /// A student accepted it; it made (or reopened) their space.
    Used,
    /// Its lifetime is over before anyone used it.
    Expired,
    /// Its teacher revoked it before anyone used it.
    Revoked,
}

impl LanguageInviteStatus {
    /// The state of an invite with these facts at `now_ms`.
    pub fn of(used: bool, revoked: bool, expires_at: Option<i64>, now_ms: i64) -> LanguageInviteStatus {
        if used {
            LanguageInviteStatus::Used
        } else if revoked {
            LanguageInviteStatus::Revoked
        } else if expires_at.is_some_and(|at| at <= now_ms) {
            LanguageInviteStatus::Expired
        } else {
            LanguageInviteStatus::Pending
        }
    }

    /// As shown on the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            LanguageInviteStatus::Pending => "pending",
            LanguageInviteStatus::Used => "used",
            LanguageInviteStatus::Expired => "expired",
            LanguageInviteStatus::Revoked => "revoked",
        }
    }
}

/// One language invite on its teacher's dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageInviteSummary {
    /// Invite id.
    pub id: i64,
    /// The language.
    pub language: String,
    /// State now.
    pub status: LanguageInviteStatus,
    /// When it was made, Unix ms.
    pub created_at: i64,
    /// When it stops working, Unix ms; `None` never.
    pub expires_at: Option<i64>,
    /// When a student used it, Unix ms.
    pub used_at: Option<i64>,
    /// That student's username.
    pub student: Option<String>,
    /// The space (room id) it made or reopened.
    pub space_id: Option<i64>,
}

/// A space as one of its two people sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SpaceSummary {
    /// The space's room id (`/rooms/<id>`).
    pub room_id: i64,
    /// The language, as the teacher wrote it.
    pub language: String,
    /// The teacher's username.
    pub teacher: String,
    /// The student's username.
    pub student: String,
    /// True when the viewer is the teacher.
    #[cfg_attr(feature = "ssr", sqlx(try_from = "super::columns::Flag"))]
    pub i_teach: bool,
    /// When it was made, Unix ms.
    pub created_at: i64,
    /// Messages from the other person since the viewer last read the space.
    pub unread: i64,
}

impl SpaceSummary {
    /// The other person's username.
    pub fn other(&self) -> &str {
        if self.i_teach { &self.student } else { &self.teacher }
    }
}
