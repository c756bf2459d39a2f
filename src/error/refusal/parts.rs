//! What refusals name: the text fields that rules check and the actions a
//! role may not take, each with its words in the reader's language.

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};

/// A text field that rules check, as the refusals name it ("A room name",
/// "O nome da sala").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// An account's username.
    Username,
    /// A room's name.
    RoomName,
    /// A name in an instant chat.
    DisplayName,
    /// An instant chat's title.
    ChatTitle,
    /// An invite link's label.
    LinkLabel,
    /// A language invite's language.
    Language,
    /// A room's description.
    Description,
}

/// What a moderator or owner tried that their role does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Remove or ban a member.
    RemoveOrBan,
    /// Mute or unmute a member.
    Mute,
    /// Change a member's role and permissions.
    ChangeRights,
    /// Change the room's settings.
    ChangeSettings,
    /// Make invite links.
    MakeInviteLinks,
    /// Approve or decline join requests.
    AnswerJoinRequests,
}

impl Field {
    /// The field as the subject of a refusal: "A room name", "O nome da sala".
    pub(super) fn subject(self, locale: Locale) -> &'static str {
        match self {
            Field::Username => td_string!(locale, refusals.fields.username),
            Field::RoomName => td_string!(locale, refusals.fields.room_name),
            Field::DisplayName => td_string!(locale, refusals.fields.display_name),
            Field::ChatTitle => td_string!(locale, refusals.fields.chat_title),
            Field::LinkLabel => td_string!(locale, refusals.fields.link_label),
            Field::Language => td_string!(locale, refusals.fields.language),
            Field::Description => td_string!(locale, refusals.fields.description),
        }
    }
}

impl Action {
    /// The action as a verb after "can": "remove or ban", "remover ou banir".
    pub(super) fn verb(self, locale: Locale) -> &'static str {
        match self {
            Action::RemoveOrBan => td_string!(locale, refusals.actions.remove_or_ban),
            Action::Mute => td_string!(locale, refusals.actions.mute),
            Action::ChangeRights => td_string!(locale, refusals.actions.change_rights),
            Action::ChangeSettings => td_string!(locale, refusals.actions.change_settings),
            Action::MakeInviteLinks => td_string!(locale, refusals.actions.make_invite_links),
            Action::AnswerJoinRequests => td_string!(locale, refusals.actions.answer_join_requests),
        }
    }
}
