//! The rules for usernames and passwords. Shared by the browser (to answer
//! sooner) and the server (which decides).

use crate::{
    error::{Field, Refusal},
    limits::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS},
};

/// Checks a username and returns it trimmed.
///
/// Rule: 3-32 characters, each an ASCII letter, digit, `_` or `-`.
/// Errors: a [`Refusal`] saying which part of the rule was broken.
pub fn check_username(raw: &str) -> Result<String, Refusal> {
    let name = crate::names::visible(raw, Field::Username)?;
    let name = name.trim();
    let len = name.chars().count();
    if !(USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&len) {
        return Err(Refusal::UsernameLength { min: USERNAME_MIN_CHARS, max: USERNAME_MAX_CHARS, len });
    }
    if let Some(character) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        return Err(Refusal::UsernameCharacter { character });
    }
    Ok(name.to_string())
}

/// Checks a password: 8-128 characters, any characters (not trimmed).
pub fn check_password(password: &str) -> Result<(), Refusal> {
    let len = password.chars().count();
    if len < PASSWORD_MIN_CHARS {
        return Err(Refusal::PasswordTooShort { min: PASSWORD_MIN_CHARS });
    }
    if len > PASSWORD_MAX_CHARS {
        return Err(Refusal::PasswordTooLong { max: PASSWORD_MAX_CHARS });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(check_username("  ana_B-1 ").as_deref(), Ok("ana_B-1"));
        assert!(check_username("ab").is_err());
        assert!(check_username(&"a".repeat(32)).is_ok());
        assert!(check_username(&"a".repeat(33)).is_err());
        assert_eq!(check_username("ana bruno"), Err(Refusal::UsernameCharacter { character: ' ' }));
        assert!(check_username("anã").is_err());
        assert!(check_username("<b>x</b>").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
    }
}
