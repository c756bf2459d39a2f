//! The rules for usernames and passwords. Shared by the browser (to answer
//! sooner) and the server (which decides).

use crate::limits::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS};

/// Checks a username and returns it trimmed.
///
/// Rule: 3-32 characters, each an ASCII letter, digit, `_` or `-`.
/// Errors: a sentence saying which part of the rule was broken.
pub fn check_username(raw: &str) -> Result<String, String> {
    let name = crate::names::visible(raw, "A username")?;
    let name = name.trim();
    let len = name.chars().count();
    if len < USERNAME_MIN_CHARS || len > USERNAME_MAX_CHARS {
        return Err(format!(
            "A username has {USERNAME_MIN_CHARS} to {USERNAME_MAX_CHARS} characters (this one has {len})."
        ));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        return Err(format!(
            "A username may use only letters, digits, '_' and '-' (not '{bad}')."
        ));
    }
    Ok(name.to_string())
}

/// Checks a password: 8-128 characters, any characters (not trimmed).
pub fn check_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < PASSWORD_MIN_CHARS {
        return Err(format!("A password needs at least {PASSWORD_MIN_CHARS} characters."));
    }
    if len > PASSWORD_MAX_CHARS {
        return Err(format!("A password can have at most {PASSWORD_MAX_CHARS} characters."));
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
        assert!(check_username("ana bruno").unwrap_err().contains("' '"));
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
