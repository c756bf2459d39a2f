//! Names people choose (usernames, instant chat display names, room names,
//! chat titles, invite link labels): what makes two of them the same, and
//! what may not be in one, so that nobody can pass for somebody else.
//!
//! - On the server a name is normalised to Unicode NFKC first (UAX #15): a
//!   full-width "Ａｎａ" is "Ana", a ligature "ﬁ" is "fi". (The browser,
//!   which only checks to answer sooner, skips this and carries no tables.)
//! - Characters that show nothing or turn text around are refused, with a
//!   reason: controls, the Unicode default-ignorable code points
//!   (DerivedCoreProperties.txt: zero-width spaces and joiners, soft hyphen,
//!   variation selectors, Hangul fillers, tags…) and the bidirectional
//!   marks, embeddings, overrides and isolates (UAX #9). Emoji keep what
//!   they are made of: a zero-width joiner between two emoji, and a
//!   variation selector right after one.
//! - Uniqueness compares [`name_key`]: the Unicode TR39 confusable skeleton
//!   (unicode-security), lower-cased, so "Ana", "ana", "Аna" (Cyrillic А)
//!   and "Αna" (Greek Alpha) are one name, as are "bill" and "bi11".

use crate::error::{Field, Refusal};

/// A name as typed, made comparable and checked: NFKC on the server, and
/// refused when it holds a control, invisible or direction-changing
/// character. `field` names the field in the refusal ("A username").
///
/// Errors: [`Refusal::ControlCharacters`], or
/// [`Refusal::InvisibleCharacters`] naming the character.
pub fn visible(raw: &str, field: Field) -> Result<String, Refusal> {
    #[cfg(feature = "ssr")]
    let text: String = unicode_normalization::UnicodeNormalization::nfkc(raw).collect();
    #[cfg(not(feature = "ssr"))]
    let text: String = raw.to_string();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let emoji_glue = match c {
            '\u{200D}' => before.is_some_and(|b| is_emoji(b) || b == '\u{FE0F}') && after.is_some_and(is_emoji),
            '\u{FE0E}' | '\u{FE0F}' => before.is_some_and(|b| is_emoji(b) || b.is_ascii_digit() || b == '#' || b == '*'),
            _ => false,
        };
        if c.is_control() {
            return Err(Refusal::ControlCharacters { field });
        }
        if (is_default_ignorable(c) || is_bidi_control(c)) && !emoji_glue {
            return Err(Refusal::InvisibleCharacters { field, code_point: format!("U+{:04X}", c as u32) });
        }
    }
    Ok(text)
}

/// What makes two names the same: the TR39 skeleton of `name` (unicode-
/// security's `skeleton`, which maps look-alikes to one prototype), in
/// lower case. Compare keys of names already through [`visible`].
#[cfg(feature = "ssr")]
pub fn name_key(name: &str) -> String {
    unicode_security::skeleton(name).collect::<String>().to_lowercase()
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt,
/// Unicode 15.1): code points that render as nothing.
fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Bidirectional formatting characters (UAX #9 §2): marks, embeddings,
/// overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters emoji sequences are built from (the blocks of
/// Extended_Pictographic, and the regional indicators and skin tones).
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2194..=0x21AA
        | 0x231A..=0x23FF | 0x24C2 | 0x25AA..=0x27BF | 0x2934..=0x2935 | 0x2B05..=0x2B55
        | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x1F000..=0x1FAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_direction_characters_are_refused_with_their_code_point() {
        for bad in ["Ana\u{200B}", "\u{200D}Ana", "An\u{00AD}a", "Ana\u{202E}", "\u{2066}Ana", "Ana\u{FEFF}", "A\u{3164}na", "Ana\u{E0041}"] {
            let err = visible(bad, Field::DisplayName).unwrap_err().to_string();
            assert!(err.contains("invisible") && err.contains("U+"), "{bad:?}: {err}");
        }
        assert!(visible("Ana\nBob", Field::DisplayName).unwrap_err().to_string().contains("control"));
    }

    #[test]
    fn emoji_keep_their_joiners_and_variation_selectors() {
        for fine in ["👨\u{200D}👩\u{200D}👧", "❤\u{FE0F}", "1\u{FE0F}\u{20E3}", "Ana 🏳\u{FE0F}\u{200D}🌈", "José", "Zoë", "李小龙"] {
            assert!(visible(fine, Field::DisplayName).is_ok(), "{fine:?}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn nfkc_and_skeletons_make_look_alikes_one_name() {
        assert_eq!(visible("Ａｎａ", Field::DisplayName).unwrap(), "Ana");
        assert_eq!(visible("ﬁona", Field::DisplayName).unwrap(), "fiona");
        let ana = name_key("Ana");
        for alike in ["ana", "ANA", "\u{0410}na", "\u{0391}na"] {
            assert_eq!(name_key(alike), ana, "{alike}");
        }
        assert_eq!(name_key("bill"), name_key("bi11"));
        assert_eq!(name_key("ana_l"), name_key("ana_I"));
        assert_ne!(name_key("Ana"), name_key("Ane"));
    }
}
