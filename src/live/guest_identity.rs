//! Who a guest is: a signed cookie per instant chat.
//!
//! The cookie `roomlink_chat_<chat id>` holds a JWT (RFC 7519) signed with
//! HS256 and the server's secret, with `sub` = participant id, `aud` = the
//! chat id and `exp` = the chat's end. A token signed with another key, for
//! another chat, expired, or naming someone who left is ignored, and the
//! person is asked for a name again. Logged-in users are also found through
//! their account, so a lost cookie does not make them a stranger.
//!
//! The secret comes from `ROOMLINK_SECRET` (at least 32 characters) or from
//! `<data_dir>/secret.key`, made on first start with 32 random bytes and mode
//! 0600. It is never logged.

use std::{io::Write, path::Path};

use axum::http::{header, HeaderMap};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::{time::Duration, Cookie, SameSite};

use crate::store::{ChatRow, ParticipantRow, Store, StoreError};

/// Shortest secret accepted from `ROOMLINK_SECRET`, in bytes.
const SECRET_MIN_BYTES: usize = 32;

/// The keys that sign and check guest cookies.
pub struct GuestKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for GuestKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GuestKeys(..)") // never print the secret
    }
}

/// The claims of a guest cookie.
#[derive(Debug, Serialize, Deserialize)]
pub struct GuestClaims {
    /// Participant id, as a string (RFC 7519 `sub` is a string).
    pub sub: String,
    /// The chat id.
    pub aud: String,
    /// The chat's end, Unix seconds.
    pub exp: i64,
    /// Issued at, Unix seconds.
    pub iat: i64,
}

impl GuestKeys {
    /// Keys from raw secret bytes.
    pub fn from_secret(secret: &[u8]) -> GuestKeys {
        GuestKeys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// Reads the secret from `ROOMLINK_SECRET`, else from `data_dir/secret.key`,
    /// making that file (mode 0600) on first start. Errors: a message for the operator.
    pub fn load(data_dir: &Path) -> Result<GuestKeys, String> {
        if let Ok(secret) = std::env::var("ROOMLINK_SECRET") {
            if secret.len() < SECRET_MIN_BYTES {
                return Err(format!("ROOMLINK_SECRET must be at least {SECRET_MIN_BYTES} characters"));
            }
            return Ok(GuestKeys::from_secret(secret.as_bytes()));
        }
        let path = data_dir.join("secret.key");
        match std::fs::read(&path) {
            Ok(secret) if secret.len() >= SECRET_MIN_BYTES => return Ok(GuestKeys::from_secret(&secret)),
            Ok(_) => return Err(format!("{} is shorter than {SECRET_MIN_BYTES} bytes", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
        let secret: [u8; 32] = rand::random();
        std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        file.write_all(&secret).map_err(|e| format!("{}: {e}", path.display()))?;
        tracing::info!("made a new signing key in {}", path.display());
        Ok(GuestKeys::from_secret(&secret))
    }

    /// A signed token naming `participant_id` in `chat_id`, valid until
    /// `ends_at_ms`. Errors only if signing fails (it does not for HS256).
    pub fn issue(&self, chat_id: &str, participant_id: i64, ends_at_ms: i64, now_ms: i64) -> Result<String, String> {
        let claims = GuestClaims {
            sub: participant_id.to_string(),
            aud: chat_id.to_string(),
            exp: ends_at_ms / 1000,
            iat: now_ms / 1000,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// The participant id in `token` if it is signed with our key, meant for
    /// `chat_id` and not expired; `None` otherwise.
    pub fn verify(&self, token: &str, chat_id: &str) -> Option<i64> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[chat_id]);
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<GuestClaims>(token, &self.decoding, &validation).ok()?;
        data.claims.sub.parse().ok()
    }
}

/// The cookie name for a chat.
pub fn cookie_name(chat_id: &str) -> String {
    format!("roomlink_chat_{chat_id}")
}

/// The value of the guest cookie for `chat_id` in these request headers.
pub fn token_in(headers: &HeaderMap, chat_id: &str) -> Option<String> {
    let name = cookie_name(chat_id);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// A `Set-Cookie` value carrying `token` until `max_age_secs` from now
/// (0 deletes the cookie). HttpOnly, SameSite=Lax, path `/` (the live socket
/// needs it too), Secure when `secure`.
pub fn set_cookie(chat_id: &str, token: &str, max_age_secs: i64, secure: bool) -> String {
    Cookie::build((cookie_name(chat_id), token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(Duration::seconds(max_age_secs.max(0)))
        .build()
        .to_string()
}

/// The participant making a request in `chat_id`: from their signed cookie
/// (checked with `keys`), else from their logged-in account `user_id`.
/// `None`: a stranger. Errors: the store's.
pub async fn identify(
    keys: &GuestKeys,
    store: &Store,
    chat_id: &str,
    headers: &HeaderMap,
    user_id: Option<i64>,
) -> Result<Option<ParticipantRow>, StoreError> {
    let chats = store.instant_chats();
    if let Some(id) = token_in(headers, chat_id).and_then(|t| keys.verify(&t, chat_id)) {
        if let Some(p) = chats.participant(chat_id, id).await? {
            return Ok(Some(p));
        }
    }
    match user_id {
        Some(user_id) => chats.participant_for_user(chat_id, user_id).await,
        None => Ok(None),
    }
}

/// The chat `chat_id` and the participant making a request in it, in one
/// read: as [`identify`] finds them, from their signed cookie, else from
/// their logged-in account. `None`: no such chat. Errors: the store's.
pub async fn chat_and_identity(
    keys: &GuestKeys,
    store: &Store,
    chat_id: &str,
    headers: &HeaderMap,
    user_id: Option<i64>,
) -> Result<Option<(ChatRow, Option<ParticipantRow>)>, StoreError> {
    let participant_id = token_in(headers, chat_id).and_then(|t| keys.verify(&t, chat_id));
    store.instant_chats().with_participant(chat_id, participant_id, user_id).await
}
