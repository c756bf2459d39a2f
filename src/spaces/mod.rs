//! Teacher spaces: a teacher makes a language invite ("German", optionally
//! for a number of days); the student who accepts it gets a private space, a
//! two-person room with that teacher for that language, and the student role
//! in their profile.
//!
//! A language invite is an invite link like any other (`/join/<token>`, 256
//! random bits, only the SHA-256 hash stored, a GET never changes anything)
//! that works once. Its state ([`LanguageInviteStatus`]) is derived from
//! what is stored. The flow and its refusals follow the language-invite
//! spec Roomlink was made from (`../shared/seeds/`, "Invite System Backend"),
//! with issue 3's rules where they differ: one generic message for unknown,
//! used and expired links on the public page.
//!
//! [`api`]: making, listing, revoking and accepting language invites, the
//! teacher's dashboard section and the student's list of spaces.

pub mod api;

use serde::{Deserialize, Serialize};

pub use crate::types::spaces::{LanguageInviteStatus, LanguageInviteSummary, SpaceSummary};
pub use api::{
    create_language_invite, get_teaching, my_spaces, revoke_language_invite, CreateLanguageInvite,
    RevokeLanguageInvite,
};

use crate::{
    accounts::CurrentUser,
    error::{Field, Refusal},
    limits::{LANGUAGE_INVITE_DAYS, LANGUAGE_MAX_CHARS},
};

/// A freshly made language invite. Its token is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageInviteLink {
    /// Invite id.
    pub id: i64,
    /// Full link, `http(s)://<host>/join/<token>`.
    pub url: String,
    /// Path of its QR code, `/join/<token>/qr.svg`.
    pub qr_path: String,
    /// The language, trimmed.
    pub language: String,
    /// When it stops working, Unix ms; `None` never.
    pub expires_at_ms: Option<i64>,
}

/// What the join page shows about a language invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpacePreview {
    /// The teacher's username.
    pub teacher: String,
    /// The language.
    pub language: String,
    /// When the link stops working, Unix ms; `None` never.
    pub expires_at_ms: Option<i64>,
    /// Who is looking, if logged in.
    pub viewer: Option<CurrentUser>,
    /// True when the viewer made this invite.
    pub own: bool,
    /// The viewer's space with this teacher for this language, if they have one.
    pub existing_space: Option<i64>,
}

/// The teacher's part of `/dashboard`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teaching {
    /// Whether the viewer marked themselves as a teacher.
    pub is_teacher: bool,
    /// Their language invites: pending first, then newest first.
    pub invites: Vec<LanguageInviteSummary>,
    /// The spaces they teach in, by language and student.
    pub spaces: Vec<SpaceSummary>,
}

/// Checks a language and returns it trimmed: 1-40 characters, no control
/// characters. Errors: a [`Refusal`] saying what to write.
pub fn check_language(raw: &str) -> Result<String, Refusal> {
    let language = raw.trim();
    let len = language.chars().count();
    if len == 0 {
        return Err(Refusal::LanguageEmpty);
    }
    if len > LANGUAGE_MAX_CHARS {
        return Err(Refusal::TooLong { field: Field::Language, max: LANGUAGE_MAX_CHARS, len });
    }
    if language.chars().any(char::is_control) {
        return Err(Refusal::ControlCharacters { field: Field::Language });
    }
    Ok(language.to_string())
}

/// Checks the optional lifetime of a language invite, as typed ("" or
/// absent: never expires) and returns it in ms. Errors: [`Refusal::LifetimeDays`], naming the range.
pub fn check_lifetime_days(raw: Option<&str>) -> Result<Option<i64>, Refusal> {
    let raw = raw.unwrap_or("").trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let (low, high) = (*LANGUAGE_INVITE_DAYS.start(), *LANGUAGE_INVITE_DAYS.end());
    match raw.parse::<u32>() {
        Ok(days) if LANGUAGE_INVITE_DAYS.contains(&days) => Ok(Some(i64::from(days) * 86_400_000)),
        _ => Err(Refusal::LifetimeDays { low, high }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_trimmed_and_bounded() {
        assert_eq!(check_language("  German "), Ok("German".into()));
        assert!(check_language("   ").unwrap_err().to_string().contains("e.g. German"));
        assert!(check_language(&"ü".repeat(40)).is_ok());
        assert!(check_language(&"x".repeat(41)).unwrap_err().to_string().contains("41"));
        assert!(check_language("Ger\tman").is_err());
    }

    #[test]
    fn lifetimes_are_whole_days_in_range() {
        assert_eq!(check_lifetime_days(None), Ok(None));
        assert_eq!(check_lifetime_days(Some(" ")), Ok(None));
        assert_eq!(check_lifetime_days(Some("7")), Ok(Some(7 * 86_400_000)));
        for bad in ["0", "366", "-1", "1.5", "soon"] {
            assert!(check_lifetime_days(Some(bad)).unwrap_err().to_string().contains("1 to 365"), "{bad}");
        }
    }

    #[test]
    fn states_in_order() {
        use LanguageInviteStatus::*;
        assert_eq!(LanguageInviteStatus::of(false, false, None, 10), Pending);
        assert_eq!(LanguageInviteStatus::of(false, false, Some(10), 10), Expired, "expiry is exclusive");
        assert_eq!(LanguageInviteStatus::of(false, true, Some(1), 10), Revoked);
        assert_eq!(LanguageInviteStatus::of(true, false, Some(1), 10), Used);
    }
}
