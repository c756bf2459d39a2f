//! Why a request was refused, without words: [`Refusal`] travels in
//! [`AppError`](super::AppError) and in the live socket's refusals and
//! endings as a code with what its words need, and each reader sees it in
//! their own language ([`Refusal::message`], `locales/*.json` under
//! `refusals`). Logs and `Display` use the English.

mod parts;

use serde::{Deserialize, Serialize};

pub use parts::{Action, Field};
use crate::i18n::{td_string, Locale};


/// Why a request was refused; the variants' fields are what the words
/// need (numbers, names, sizes already written as "5.0 MB" or "5:00").
/// In JSON, serde's default (external) tagging: `"message_empty"`, or
/// `{"too_long":{"field":"room_name","max":64,"len":70}}` (an internally
/// tagged enum's deserializer costs the WebAssembly several times more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// A field with a line break, tab or other control character.
    ControlCharacters { field: Field },
    /// A field with an invisible or direction-changing character; `code_point` as "U+200B".
    InvisibleCharacters { field: Field, code_point: String },
    /// A field longer than it may be, in characters.
    TooLong { field: Field, max: usize, len: usize },
    /// A username outside its length, in characters.
    UsernameLength { min: usize, max: usize, len: usize },
    /// A username with a character it may not have.
    UsernameCharacter { character: char },
    /// A password shorter than `min` characters.
    PasswordTooShort { min: usize },
    /// A password longer than `max` characters.
    PasswordTooLong { max: usize },
    /// A room made without a name.
    RoomNameEmpty,
    /// A chat joined without a name.
    DisplayNameEmpty,
    /// A language invite without its language.
    LanguageEmpty,
    /// An empty message.
    MessageEmpty,
    /// A message longer than `max` characters.
    MessageTooLong { max: usize, len: usize },
    /// A member limit outside its range.
    MemberLimitRange { low: i64, high: i64 },
    /// A member limit below the members there are.
    MemberLimitBelowMembers { members: i64 },
    /// An invite lifetime that is not one of the choices.
    LifetimeChoice,
    /// A maximum number of uses that is not one of the choices.
    MaxUsesChoice,
    /// A link asked to make owners.
    LinkRole,
    /// A language invite's lifetime outside `low..=high` days.
    LifetimeDays { low: u32, high: u32 },
    /// A topic the server does not know.
    UnknownTopic,
    /// Reading a chat's history without being in it.
    JoinChatFirst,
    /// The owner tried to leave.
    OwnerCannotLeave,
    /// Removing oneself instead of leaving.
    UseLeaveRoom,
    /// A member (not a moderator) tried to moderate.
    OnlyModeratorsCan { action: Action },
    /// Someone tried to moderate the owner.
    NobodyCanOwner { action: Action },
    /// A moderator tried to moderate a moderator.
    OnlyOwnerCanModerators { action: Action },
    /// The person acted on is not a member (any more).
    NotAMemberAnyMore,
    /// Muting oneself.
    CannotMuteYourself,
    /// Changing the owner's role or permissions.
    OwnerRightsFixed,
    /// Something only the owner may do.
    OnlyOwnerCan { action: Action },
    /// Something a teacher space does not have.
    NotInSpace { action: Action },
    /// Revoking someone else's link.
    OnlyMakerRevokes,
    /// Revoking a revoked link.
    AlreadyRevoked,
    /// Managing links without moderating.
    OnlyModeratorsManageLinks,
    /// Making a link where only moderators may.
    OnlyModeratorsInvite,
    /// A moderator making a link that makes moderators.
    OnlyOwnerMakesModeratorLinks,
    /// A banned person joining again.
    Banned,
    /// Making a language invite without being a teacher.
    OnlyTeachers,
    /// Revoking another teacher's language invite.
    OnlyTeacherRevokes,
    /// Revoking a language invite a student used.
    LanguageInviteUsed,
    /// A teacher accepting their own language invite.
    OwnInvite,
    /// A student who has this space already.
    AlreadyHasSpace { language: String, teacher: String },
    /// A student removed from the space for good.
    RemovedFromSpace,
    /// A muted member sending.
    Muted,
    /// Writing in a room one is not (or no longer) a member of.
    NotAMember,
    /// No longer a member of the room followed.
    NoLongerMember,
    /// No longer in the chat followed.
    NoLongerInChat,
    /// Writing in a chat one has not joined with a name.
    JoinWithNameFirst,
    /// Not in the chat (leaving it).
    NotInChat,
    /// The host leaving instead of ending.
    HostEndsInstead,
    /// Someone but the host ending the chat.
    OnlyHostEnds,
    /// The chat's host ended it.
    EndedByHost,
    /// The chat's time is over.
    ChatExpired,
    /// The person left the chat (their other tabs are told).
    LeftChat,
    /// Messages to an ended chat.
    ChatOver,
    /// Logged out in this browser (the socket's tabs are told).
    LoggedOut,
    /// Memory for chats without history is full (starting one).
    NoRoomForChats,
    /// Memory for chats without history is full (uploading).
    MemoryFull,
    /// A tab following too many topics.
    TooManyTopics,
    /// Sending faster than the line budget.
    TooFast,
    /// A message or upload id that is not valid.
    BadMessageId,
    /// A socket frame the server could not read.
    UnreadableRequest,
    /// A line that could not be saved.
    NotSaved,
    /// A fault while following a topic.
    FollowFault,
    /// An empty upload.
    FileEmpty,
    /// An upload over the largest size; sizes written ("10.0 MB").
    UploadTooLarge { max: String, image_max: String },
    /// An image over its size.
    ImageTooLarge { max: String, size: String },
    /// A voice message over its size.
    VoiceTooLarge { max: String, size: String },
    /// A voice message over its length ("5:00", "5:00.4").
    VoiceTooLong { max: String, length: String },
    /// A type Roomlink does not take; `found` the MIME type, if known.
    UnsupportedType { found: Option<String> },
    /// An image whose size cannot be read.
    ImageDamaged,
    /// An image wider or taller than `max` pixels.
    ImageTooBig { max: u32, width: u32, height: u32 },
    /// A voice message with video or subtitles.
    VoiceHasVideo,
    /// A voice message with no sound to play.
    VoiceNoSound,
    /// A recording that cannot be read.
    VoiceUnreadable,
    /// A server function's request over its size, in KiB.
    RequestTooLarge { max_kib: usize },
    /// A server function that ran out of time, in seconds.
    TookTooLong { seconds: u64 },
    /// The browser cannot record any format the server takes.
    CannotRecord,
    /// The page is not https, so the browser offers no microphone.
    NeedsHttps,
    /// The person did not let Roomlink use the microphone.
    MicrophoneDenied,
    /// The recording could not start.
    RecordingFailed,
    /// An upload that did not reach the server.
    UploadUnreachable,
    /// An answer the browser could not read.
    AnswerUnreadable,
    /// An upload refused with a status and no readable reason.
    UploadRefused { status: u16 },
    /// Following or writing without being logged in.
    LogInFirst,
    /// Following a chat without having joined it with a name.
    PickANameFirst,
    /// Sending to a room the tab has not opened.
    OpenRoomFirst,
    /// Removed from a room by `by`.
    RemovedBy { by: String },
    /// Banned from a room by `by`.
    BannedBy { by: String },
    /// The person left the room (their other tabs are told).
    LeftRoom,
    /// Editing or deleting a message that is not there (deleted meanwhile).
    MessageGone,
    /// Editing someone else's message, or deleting it without moderating the room.
    NotYourMessage,
    /// Editing a file or a system line: only a message's text can be edited.
    NothingToEdit,
    /// Lifting the ban of someone who is not banned (any more).
    NotBanned,
    /// Deleting a room without typing its name exactly.
    TypeRoomName,
    /// The room was deleted by its owner, `by`.
    RoomDeletedBy { by: String },
    /// Removing someone from an instant chat without being its host.
    OnlyHostRemoves,
    /// Locking an instant chat without being its host.
    OnlyHostLocks,
    /// Removing someone who is not in the instant chat (any more), or the host.
    NotInChatAnyMore,
    /// The host removed this person from the instant chat.
    RemovedByHost,
    /// Joining an instant chat the host locked.
    ChatLocked,
    /// Asking to join through a link whose earlier request a moderator declined.
    RequestDeclined,
    /// Approving, declining or withdrawing a join request that no longer
    /// waits (answered, withdrawn, or ended with its link).
    RequestNotWaiting,
    /// Approving a request whose link was revoked or expired meanwhile.
    RequestLinkEnded,
    /// Approving a request of someone banned from the room meanwhile.
    RequesterBanned,
    /// Changing the password with a current password that is not it.
    WrongCurrentPassword,
    /// Ending a session that ended already (or is not the account's).
    SessionGone,
    /// Ending, from the list of sessions, the session in use: log out instead.
    ThisSession,
    /// "Forgot password?" with a username and recovery code that do not go
    /// together (an unknown username, a wrong or used code: the same answer).
    RecoveryFailed,
    /// Deleting the account while it owns rooms (`rooms`: their names, comma
    /// separated): each must be handed over or deleted first.
    OwnsRooms { rooms: String },
    /// An email option on a server without SMTP settings.
    EmailOff,
    /// An email address that is not one.
    EmailInvalid,
    /// An email address longer than `max` characters.
    EmailTooLong { max: usize },
    /// The SMTP server did not take the mail.
    EmailNotSent,
    /// A link sent by email that was used, expired, or never made.
    EmailLinkEnded,
    /// Confirming an address another account confirmed first.
    EmailTaken,
}

impl Refusal {
    /// The refusal in `locale`'s words.
    pub fn message(&self, locale: Locale) -> String {
        use Refusal::*;
        let s = |text: &str| text.to_string();
        match self {
            ControlCharacters { field } => {
                td_string!(locale, refusals.control_characters, field = field.subject(locale)).to_string()
            }
            InvisibleCharacters { field, code_point } => {
                td_string!(locale, refusals.invisible_characters, field = field.subject(locale), code_point).to_string()
            }
            TooLong { field, max, len } => td_string!(locale, refusals.too_long, field = field.subject(locale), max, len).to_string(),
            UsernameLength { min, max, len } => td_string!(locale, refusals.username_length, min, max, len).to_string(),
            UsernameCharacter { character } => td_string!(locale, refusals.username_character, character).to_string(),
            PasswordTooShort { min } => td_string!(locale, refusals.password_too_short, min).to_string(),
            PasswordTooLong { max } => td_string!(locale, refusals.password_too_long, max).to_string(),
            RoomNameEmpty => s(td_string!(locale, refusals.room_name_empty)),
            DisplayNameEmpty => s(td_string!(locale, refusals.display_name_empty)),
            LanguageEmpty => s(td_string!(locale, refusals.language_empty)),
            MessageEmpty => s(td_string!(locale, refusals.message_empty)),
            MessageTooLong { max, len } => td_string!(locale, refusals.message_too_long, max, len).to_string(),
            MemberLimitRange { low, high } => td_string!(locale, refusals.member_limit_range, low, high).to_string(),
            MemberLimitBelowMembers { members } => td_string!(locale, refusals.member_limit_below, members).to_string(),
            LifetimeChoice => s(td_string!(locale, refusals.lifetime_choice)),
            MaxUsesChoice => s(td_string!(locale, refusals.max_uses_choice)),
            LinkRole => s(td_string!(locale, refusals.link_role)),
            LifetimeDays { low, high } => td_string!(locale, refusals.lifetime_days, low, high).to_string(),
            UnknownTopic => s(td_string!(locale, refusals.unknown_topic)),
            JoinChatFirst => s(td_string!(locale, refusals.join_chat_first)),
            OwnerCannotLeave => s(td_string!(locale, refusals.owner_cannot_leave)),
            UseLeaveRoom => s(td_string!(locale, refusals.use_leave_room)),
            OnlyModeratorsCan { action } => {
                td_string!(locale, refusals.only_moderators_can, action = action.verb(locale)).to_string()
            }
            NobodyCanOwner { action } => td_string!(locale, refusals.nobody_can_owner, action = action.verb(locale)).to_string(),
            OnlyOwnerCanModerators { action } => {
                td_string!(locale, refusals.only_owner_can_moderators, action = action.verb(locale)).to_string()
            }
            NotAMemberAnyMore => s(td_string!(locale, refusals.not_a_member_any_more)),
            CannotMuteYourself => s(td_string!(locale, refusals.cannot_mute_yourself)),
            OwnerRightsFixed => s(td_string!(locale, refusals.owner_rights_fixed)),
            OnlyOwnerCan { action } => td_string!(locale, refusals.only_owner_can, action = action.verb(locale)).to_string(),
            NotInSpace { action } => td_string!(locale, refusals.not_in_space, action = action.verb(locale)).to_string(),
            OnlyMakerRevokes => s(td_string!(locale, refusals.only_maker_revokes)),
            AlreadyRevoked => s(td_string!(locale, refusals.already_revoked)),
            OnlyModeratorsManageLinks => s(td_string!(locale, refusals.only_moderators_manage_links)),
            OnlyModeratorsInvite => s(td_string!(locale, refusals.only_moderators_invite)),
            OnlyOwnerMakesModeratorLinks => s(td_string!(locale, refusals.only_owner_makes_moderator_links)),
            Banned => s(td_string!(locale, refusals.banned)),
            OnlyTeachers => s(td_string!(locale, refusals.only_teachers)),
            OnlyTeacherRevokes => s(td_string!(locale, refusals.only_teacher_revokes)),
            LanguageInviteUsed => s(td_string!(locale, refusals.language_invite_used)),
            OwnInvite => s(td_string!(locale, refusals.own_invite)),
            AlreadyHasSpace { language, teacher } => td_string!(locale, refusals.already_has_space, language, teacher).to_string(),
            RemovedFromSpace => s(td_string!(locale, refusals.removed_from_space)),
            Muted => s(td_string!(locale, refusals.muted)),
            NotAMember => s(td_string!(locale, refusals.not_a_member)),
            NoLongerMember => s(td_string!(locale, refusals.no_longer_member)),
            NoLongerInChat => s(td_string!(locale, refusals.no_longer_in_chat)),
            JoinWithNameFirst => s(td_string!(locale, refusals.join_with_name_first)),
            NotInChat => s(td_string!(locale, refusals.not_in_chat)),
            HostEndsInstead => s(td_string!(locale, refusals.host_ends_instead)),
            OnlyHostEnds => s(td_string!(locale, refusals.only_host_ends)),
            EndedByHost => s(td_string!(locale, refusals.ended_by_host)),
            ChatExpired => s(td_string!(locale, refusals.chat_expired)),
            LeftChat => s(td_string!(locale, refusals.left_chat)),
            ChatOver => s(td_string!(locale, refusals.chat_over)),
            LoggedOut => s(td_string!(locale, refusals.logged_out)),
            NoRoomForChats => s(td_string!(locale, refusals.no_room_for_chats)),
            MemoryFull => s(td_string!(locale, refusals.memory_full)),
            TooManyTopics => s(td_string!(locale, refusals.too_many_topics)),
            TooFast => s(td_string!(locale, refusals.too_fast)),
            BadMessageId => s(td_string!(locale, refusals.bad_message_id)),
            UnreadableRequest => s(td_string!(locale, refusals.unreadable_request)),
            NotSaved => s(td_string!(locale, refusals.not_saved)),
            FollowFault => s(td_string!(locale, refusals.follow_fault)),
            FileEmpty => s(td_string!(locale, refusals.file_empty)),
            UploadTooLarge { max, image_max } => td_string!(locale, refusals.upload_too_large, max, image_max).to_string(),
            ImageTooLarge { max, size } => td_string!(locale, refusals.image_too_large, max, size).to_string(),
            VoiceTooLarge { max, size } => td_string!(locale, refusals.voice_too_large, max, size).to_string(),
            VoiceTooLong { max, length } => td_string!(locale, refusals.voice_too_long, max, length).to_string(),
            UnsupportedType { found: Some(found) } => td_string!(locale, refusals.unsupported_type, found).to_string(),
            UnsupportedType { found: None } => s(td_string!(locale, refusals.unknown_type)),
            ImageDamaged => s(td_string!(locale, refusals.image_damaged)),
            ImageTooBig { max, width, height } => td_string!(locale, refusals.image_too_big, max, width, height).to_string(),
            VoiceHasVideo => s(td_string!(locale, refusals.voice_has_video)),
            VoiceNoSound => s(td_string!(locale, refusals.voice_no_sound)),
            VoiceUnreadable => s(td_string!(locale, refusals.voice_unreadable)),
            RequestTooLarge { max_kib } => td_string!(locale, refusals.request_too_large, max_kib).to_string(),
            TookTooLong { seconds } => td_string!(locale, refusals.took_too_long, seconds).to_string(),
            CannotRecord => s(td_string!(locale, refusals.cannot_record)),
            NeedsHttps => s(td_string!(locale, refusals.needs_https)),
            MicrophoneDenied => s(td_string!(locale, refusals.microphone_denied)),
            RecordingFailed => s(td_string!(locale, refusals.recording_failed)),
            UploadUnreachable => s(td_string!(locale, refusals.upload_unreachable)),
            AnswerUnreadable => s(td_string!(locale, refusals.answer_unreadable)),
            UploadRefused { status } => td_string!(locale, refusals.upload_refused, status).to_string(),
            LogInFirst => s(td_string!(locale, refusals.log_in_first)),
            PickANameFirst => s(td_string!(locale, refusals.pick_a_name_first)),
            OpenRoomFirst => s(td_string!(locale, refusals.open_room_first)),
            RemovedBy { by } => td_string!(locale, refusals.removed_by, by).to_string(),
            BannedBy { by } => td_string!(locale, refusals.banned_by, by).to_string(),
            LeftRoom => s(td_string!(locale, refusals.left_room)),
            MessageGone => s(td_string!(locale, refusals.message_gone)),
            NotYourMessage => s(td_string!(locale, refusals.not_your_message)),
            NothingToEdit => s(td_string!(locale, refusals.nothing_to_edit)),
            NotBanned => s(td_string!(locale, refusals.not_banned)),
            TypeRoomName => s(td_string!(locale, refusals.type_room_name)),
            RoomDeletedBy { by } => td_string!(locale, refusals.room_deleted_by, by).to_string(),
            OnlyHostRemoves => s(td_string!(locale, refusals.only_host_removes)),
            OnlyHostLocks => s(td_string!(locale, refusals.only_host_locks)),
            NotInChatAnyMore => s(td_string!(locale, refusals.not_in_chat_any_more)),
            RemovedByHost => s(td_string!(locale, refusals.removed_by_host)),
            ChatLocked => s(td_string!(locale, refusals.chat_locked)),
            RequestDeclined => s(td_string!(locale, refusals.request_declined)),
            RequestNotWaiting => s(td_string!(locale, refusals.request_not_waiting)),
            RequestLinkEnded => s(td_string!(locale, refusals.request_link_ended)),
            RequesterBanned => s(td_string!(locale, refusals.requester_banned)),
            WrongCurrentPassword => s(td_string!(locale, refusals.wrong_current_password)),
            SessionGone => s(td_string!(locale, refusals.session_gone)),
            ThisSession => s(td_string!(locale, refusals.this_session)),
            RecoveryFailed => s(td_string!(locale, refusals.recovery_failed)),
            OwnsRooms { rooms } => td_string!(locale, refusals.owns_rooms, rooms).to_string(),
            EmailOff => s(td_string!(locale, refusals.email_off)),
            EmailInvalid => s(td_string!(locale, refusals.email_invalid)),
            EmailTooLong { max } => td_string!(locale, refusals.email_too_long, max).to_string(),
            EmailNotSent => s(td_string!(locale, refusals.email_not_sent)),
            EmailLinkEnded => s(td_string!(locale, refusals.email_link_ended)),
            EmailTaken => s(td_string!(locale, refusals.email_taken)),
        }
    }
}

impl std::fmt::Display for Refusal {
    /// The English words (for logs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

#[cfg(test)]
mod tests;
