//! Fuzzing, with proptest, of everything that parses bytes from strangers:
//! the live protocol's JSON, the upload inspector (images and the audio
//! containers' demuxers), and the name, text and `next` URL checks. Each
//! property is "no panic, and an answer either way"; the number of cases is
//! fixed, so CI spends a bounded time here (a few seconds).

use proptest::prelude::*;

use roomlink::live::{ClientEvent, ServerEvent};

/// File starts that lead the inspector into each of its parsers.
const MAGIC: &[&[u8]] = &[
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"\x1a\x45\xdf\xa3",
    b"OggS\x00",
    b"\x00\x00\x00\x20ftypM4A ",
    b"\x00\x00\x00\x18ftypisom",
];

fn config() -> ProptestConfig {
    ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_inspector_answers_any_bytes(which in 0..MAGIC.len() + 1, tail in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = MAGIC.get(which).map(|m| m.to_vec()).unwrap_or_default();
        bytes.extend(tail);
        let _ = roomlink::attachments::inspect::inspect(&bytes);
        let _ = roomlink::attachments::inspect::audio_length_ms(&bytes);
    }

    #[test]
    fn the_live_protocol_reads_any_text(text in any::<String>()) {
        let _ = serde_json::from_str::<ClientEvent>(&text);
    }

    #[test]
    fn the_live_protocol_reads_any_event_shaped_text(
        kind in prop::sample::select(vec!["subscribe", "send", "typing", "ping", "read", "unsubscribe", "nope"]),
        topic in prop::sample::select(vec![r#"{"room":1}"#, r#"{"chat":"abc"}"#, r#"{"room":-9223372036854775808}"#, r#"{"chat":1}"#, "null", r#""room""#]),
        body in any::<String>(),
        number in any::<i64>(),
    ) {
        let text = format!(
            r#"{{"type":"{kind}","topic":{topic},"after_id":{number},"up_to":{number},"client_id":{body:?},"body":{body:?},"typing":true}}"#
        );
        if let Ok(event) = serde_json::from_str::<ClientEvent>(&text) {
            // What parses is what the server acts on: it must survive a round trip.
            let again = serde_json::to_string(&event).unwrap();
            prop_assert_eq!(serde_json::from_str::<ClientEvent>(&again).unwrap(), event);
        }
        let _ = serde_json::from_str::<ServerEvent>(&text);
    }

    #[test]
    fn names_and_texts_are_checked_without_panics(text in any::<String>()) {
        if let Ok(name) = roomlink::names::visible(&text, roomlink::error::Field::DisplayName) {
            // What is accepted shows no invisible or direction characters,
            // and is its own normal form.
            let again = roomlink::names::visible(&name, roomlink::error::Field::DisplayName);
            prop_assert_eq!(again.as_deref(), Ok(name.as_str()));
            let _ = roomlink::names::name_key(&name);
        }
        let _ = roomlink::accounts::rules::check_username(&text);
        let _ = roomlink::instant::check_display_name(&text);
        let _ = roomlink::rooms::check_room_name(&text);
        let _ = roomlink::live::check_message_body(&text);
        let _ = roomlink::live::is_valid_client_id(&text);
    }

    #[test]
    fn next_is_always_a_path_on_our_origin(text in any::<String>(), prefix in prop::sample::select(vec!["", "/", "//", "/\\", "\\", "/\t/", "https://", "/%2F/"])) {
        let next = format!("{prefix}{text}");
        let path = roomlink::accounts::ssr::local_path_or_home(Some(&next));
        prop_assert!(path.starts_with('/'), "{path:?}");
        prop_assert!(!path.starts_with("//") && !path.starts_with("/\\"), "{next:?} -> {path:?}");
        prop_assert!(!path.chars().any(char::is_control), "{next:?} -> {path:?}");
        // A backslash may sit in the query (harmless there), never in the path.
        let path_part = path.split(['?', '#']).next().unwrap_or_default();
        prop_assert!(!path_part.contains('\\'), "{next:?} -> {path:?}");
    }
}
