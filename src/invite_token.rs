//! Invite tokens, of invite links and of teachers' language invites alike
//! (so both features take them from here): 256 random bits from the OS, written in URL-safe base64
//! without padding (43 characters). The database keeps only the hex SHA-256 of
//! a token, so a copy of the database does not hold working links.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::limits::{INVITE_TOKEN_BYTES, INVITE_TOKEN_CHARS};

/// A new token and its hash: `(token for the link, hex SHA-256 to store)`.
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; INVITE_TOKEN_BYTES];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = digest(&token);
    (token, hash)
}

/// The hex SHA-256 of `token`, or `None` when it cannot be a token Roomlink
/// made (wrong length or characters), so malformed links never reach the database.
pub fn hash(token: &str) -> Option<String> {
    let well_formed = token.len() == INVITE_TOKEN_CHARS
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| digest(token))
}

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_url_safe_and_distinct() {
        let (a, ha) = generate();
        let (b, _) = generate();
        assert_eq!(a.len(), INVITE_TOKEN_CHARS);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(hash(&a), Some(ha.clone()));
        assert_eq!(ha.len(), 64);
        assert_ne!(ha, a);
    }

    #[test]
    fn malformed_tokens_have_no_hash() {
        assert_eq!(hash(""), None);
        assert_eq!(hash("short"), None);
        assert_eq!(hash(&"a".repeat(44)), None);
        assert_eq!(hash(&format!("{}/", "a".repeat(42))), None);
        assert!(hash(&"a".repeat(43)).is_some());
    }
}
