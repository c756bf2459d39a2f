//! Words that several pages show for the same value: a role, an author's
//! tag, in the reader's language (`locales/*.json`, under `roles`). The
//! values' own `label()`s stay English: they name things in attributes
//! (`data-tag`) and logs.

use crate::{
    i18n::{plural_string, td_string, Locale},
    invites::InviteStatus,
    live::AuthorTag,
    rooms::Role,
    spaces::LanguageInviteStatus,
};

/// A role's name: "owner", "dono".
pub fn role_name(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Owner => td_string!(locale, roles.owner),
        Role::Moderator => td_string!(locale, roles.moderator),
        Role::Member => td_string!(locale, roles.member),
    }
}

/// A person's name as pages show it: their username, or "deleted user",
/// "usuário excluído" for an account that was deleted
/// ([`crate::types::accounts::deleted_username`]).
pub fn person(locale: Locale, name: &str) -> String {
    match crate::types::accounts::is_deleted_username(name) {
        true => td_string!(locale, live.deleted_user).to_string(),
        false => name.to_string(),
    }
}

/// An author's tag in an instant chat: "host", "anfitrião".
pub fn tag_name(locale: Locale, tag: AuthorTag) -> &'static str {
    match tag {
        AuthorTag::Host => td_string!(locale, roles.host),
        AuthorTag::Account => td_string!(locale, roles.account),
        AuthorTag::Guest => td_string!(locale, roles.guest),
    }
}

/// The tag of a member who may not write: "muted", "silenciado".
pub fn muted(locale: Locale) -> &'static str {
    td_string!(locale, roles.muted)
}

/// An invite link's state: "active", "ativo".
pub fn invite_status(locale: Locale, status: InviteStatus) -> &'static str {
    match status {
        InviteStatus::Active => td_string!(locale, statuses.active),
        InviteStatus::Expired => td_string!(locale, statuses.expired),
        InviteStatus::UsedUp => td_string!(locale, statuses.used_up),
        InviteStatus::Revoked => td_string!(locale, statuses.revoked),
    }
}

/// A language invite's state: "pending", "pendente".
pub fn language_invite_status(locale: Locale, status: LanguageInviteStatus) -> &'static str {
    match status {
        LanguageInviteStatus::Pending => td_string!(locale, statuses.pending),
        LanguageInviteStatus::Used => td_string!(locale, statuses.used),
        LanguageInviteStatus::Expired => td_string!(locale, statuses.expired),
        LanguageInviteStatus::Revoked => td_string!(locale, statuses.revoked),
    }
}

/// How long an invite link works, as its choice in minutes reads: "6
/// hours", "6 horas"; 0 is "Never".
pub fn lifetime(locale: Locale, minutes: u32) -> String {
    match minutes {
        0 => td_string!(locale, teaching.never).to_string(),
        m if m < 60 => plural_string!(locale, durations.minutes, count = m),
        m if m < 1_440 => plural_string!(locale, durations.hours, count = m / 60),
        m => plural_string!(locale, durations.days, count = m / 1_440),
    }
}
