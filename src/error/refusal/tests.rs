//! The refusals' words, checked: every kind has a sample, and each reads
//! in both languages.

use super::*;

/// Every variant's place: adding a variant fails to compile here until
/// it has one, and then [`every_refusal_has_its_words_in_each_language`]
/// until it has a sample.
fn index(refusal: &Refusal) -> usize {
    use Refusal::*;
    match refusal {
        ControlCharacters { .. } => 0,
        InvisibleCharacters { .. } => 1,
        TooLong { .. } => 2,
        UsernameLength { .. } => 3,
        UsernameCharacter { .. } => 4,
        PasswordTooShort { .. } => 5,
        PasswordTooLong { .. } => 6,
        RoomNameEmpty => 7,
        DisplayNameEmpty => 8,
        LanguageEmpty => 9,
        MessageEmpty => 10,
        MessageTooLong { .. } => 11,
        MemberLimitRange { .. } => 12,
        MemberLimitBelowMembers { .. } => 13,
        LifetimeChoice => 14,
        MaxUsesChoice => 15,
        LinkRole => 16,
        LifetimeDays { .. } => 17,
        UnknownTopic => 18,
        JoinChatFirst => 19,
        OwnerCannotLeave => 20,
        UseLeaveRoom => 21,
        OnlyModeratorsCan { .. } => 22,
        NobodyCanOwner { .. } => 23,
        OnlyOwnerCanModerators { .. } => 24,
        NotAMemberAnyMore => 25,
        CannotMuteYourself => 26,
        OwnerRightsFixed => 27,
        OnlyOwnerCan { .. } => 28,
        NotInSpace { .. } => 29,
        OnlyMakerRevokes => 30,
        AlreadyRevoked => 31,
        OnlyModeratorsManageLinks => 32,
        OnlyModeratorsInvite => 33,
        OnlyOwnerMakesModeratorLinks => 34,
        Banned => 35,
        OnlyTeachers => 36,
        OnlyTeacherRevokes => 37,
        LanguageInviteUsed => 38,
        OwnInvite => 39,
        AlreadyHasSpace { .. } => 40,
        RemovedFromSpace => 41,
        Muted => 42,
        NotAMember => 43,
        NoLongerMember => 44,
        NoLongerInChat => 45,
        JoinWithNameFirst => 46,
        NotInChat => 47,
        HostEndsInstead => 48,
        OnlyHostEnds => 49,
        EndedByHost => 50,
        ChatExpired => 51,
        LeftChat => 52,
        ChatOver => 53,
        LoggedOut => 54,
        NoRoomForChats => 55,
        MemoryFull => 56,
        TooManyTopics => 57,
        TooFast => 58,
        BadMessageId => 59,
        UnreadableRequest => 60,
        NotSaved => 61,
        FollowFault => 62,
        FileEmpty => 63,
        UploadTooLarge { .. } => 64,
        ImageTooLarge { .. } => 65,
        VoiceTooLarge { .. } => 66,
        VoiceTooLong { .. } => 67,
        UnsupportedType { .. } => 68,
        ImageDamaged => 69,
        ImageTooBig { .. } => 70,
        VoiceHasVideo => 71,
        VoiceNoSound => 72,
        VoiceUnreadable => 73,
        RequestTooLarge { .. } => 74,
        TookTooLong { .. } => 75,
        CannotRecord => 76,
        NeedsHttps => 77,
        MicrophoneDenied => 78,
        RecordingFailed => 79,
        UploadUnreachable => 80,
        AnswerUnreadable => 81,
        UploadRefused { .. } => 82,
        LogInFirst => 83,
        PickANameFirst => 84,
        OpenRoomFirst => 85,
        RemovedBy { .. } => 86,
        BannedBy { .. } => 87,
        LeftRoom => 88,
        MessageGone => 89,
        NotYourMessage => 90,
        NothingToEdit => 91,
    }
}

/// One refusal of each kind.
fn samples() -> Vec<Refusal> {
    use Refusal::*;
    vec![
        ControlCharacters { field: Field::RoomName },
        InvisibleCharacters { field: Field::RoomName, code_point: "U+200B".into() },
        TooLong { field: Field::RoomName, max: 64, len: 70 },
        UsernameLength { min: 3, max: 64, len: 70 },
        UsernameCharacter { character: ' ' },
        PasswordTooShort { min: 3 },
        PasswordTooLong { max: 64 },
        RoomNameEmpty,
        DisplayNameEmpty,
        LanguageEmpty,
        MessageEmpty,
        MessageTooLong { max: 64, len: 70 },
        MemberLimitRange { low: 2, high: 1000 },
        MemberLimitBelowMembers { members: 5 },
        LifetimeChoice,
        MaxUsesChoice,
        LinkRole,
        LifetimeDays { low: 1, high: 365 },
        UnknownTopic,
        JoinChatFirst,
        OwnerCannotLeave,
        UseLeaveRoom,
        OnlyModeratorsCan { action: Action::RemoveOrBan },
        NobodyCanOwner { action: Action::RemoveOrBan },
        OnlyOwnerCanModerators { action: Action::RemoveOrBan },
        NotAMemberAnyMore,
        CannotMuteYourself,
        OwnerRightsFixed,
        OnlyOwnerCan { action: Action::RemoveOrBan },
        NotInSpace { action: Action::RemoveOrBan },
        OnlyMakerRevokes,
        AlreadyRevoked,
        OnlyModeratorsManageLinks,
        OnlyModeratorsInvite,
        OnlyOwnerMakesModeratorLinks,
        Banned,
        OnlyTeachers,
        OnlyTeacherRevokes,
        LanguageInviteUsed,
        OwnInvite,
        AlreadyHasSpace { language: "German".into(), teacher: "ana".into() },
        RemovedFromSpace,
        Muted,
        NotAMember,
        NoLongerMember,
        NoLongerInChat,
        JoinWithNameFirst,
        NotInChat,
        HostEndsInstead,
        OnlyHostEnds,
        EndedByHost,
        ChatExpired,
        LeftChat,
        ChatOver,
        LoggedOut,
        NoRoomForChats,
        MemoryFull,
        TooManyTopics,
        TooFast,
        BadMessageId,
        UnreadableRequest,
        NotSaved,
        FollowFault,
        FileEmpty,
        UploadTooLarge { max: "10.0 MB".into(), image_max: "5.0 MB".into() },
        ImageTooLarge { max: "10.0 MB".into(), size: "6.0 MB".into() },
        VoiceTooLarge { max: "10.0 MB".into(), size: "6.0 MB".into() },
        VoiceTooLong { max: "5:00".into(), length: "5:00.4".into() },
        UnsupportedType { found: Some("application/pdf".into()) },
        ImageDamaged,
        ImageTooBig { max: 4096, width: 5000, height: 3000 },
        VoiceHasVideo,
        VoiceNoSound,
        VoiceUnreadable,
        RequestTooLarge { max_kib: 64 },
        TookTooLong { seconds: 30 },
        CannotRecord,
        NeedsHttps,
        MicrophoneDenied,
        RecordingFailed,
        UploadUnreachable,
        AnswerUnreadable,
        UploadRefused { status: 502 },
        LogInFirst,
        PickANameFirst,
        OpenRoomFirst,
        RemovedBy { by: "carla".into() },
        BannedBy { by: "carla".into() },
        LeftRoom,
        MessageGone,
        NotYourMessage,
        NothingToEdit,
    ]
}

#[test]
fn every_refusal_has_its_words_in_each_language() {
    let samples = samples();
    let covered: std::collections::BTreeSet<usize> = samples.iter().map(index).collect();
    assert_eq!(covered, (0..92).collect(), "a sample of every refusal");
    for refusal in &samples {
        let (english, portuguese) = (refusal.message(Locale::en), refusal.message(Locale::pt_BR));
        assert!(!english.is_empty() && !english.contains("{{"), "{refusal:?}: {english}");
        assert!(!portuguese.is_empty() && !portuguese.contains("{{"), "{refusal:?}: {portuguese}");
        assert_ne!(english, portuguese, "{refusal:?} reads the same in both languages");
        assert_eq!(refusal.to_string(), english, "Display is the English");
    }
}

#[test]
fn refusals_travel_as_codes_with_their_parameters() {
    let refusal = Refusal::TooLong { field: Field::RoomName, max: 64, len: 70 };
    let json = serde_json::to_string(&refusal).unwrap();
    assert_eq!(json, r#"{"too_long":{"field":"room_name","max":64,"len":70}}"#);
    assert_eq!(serde_json::to_string(&Refusal::MessageEmpty).unwrap(), r#""message_empty""#);
    assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), refusal);
    assert_eq!(refusal.message(Locale::en), "A room name can have at most 64 characters (this one has 70).");
    assert_eq!(refusal.message(Locale::pt_BR), "O nome da sala pode ter no máximo 64 caracteres (agora são 70).");
}
