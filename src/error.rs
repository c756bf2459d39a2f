//! The error type that server functions return to the browser.
//!
//! Every variant's message is written for the person using Roomlink: it says
//! what went wrong and, where they can, what to do. Causes that are ours
//! (database faults and the like) are logged on the server with `tracing` and
//! reach the browser only as [`AppError::Internal`].

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use leptos::server_fn::{
    self, codec::JsonEncoding, error::FromServerFnError, ServerFnError,
};

/// What a server function can answer instead of its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input broke a rule; the text says which and how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// The action needs a logged-in user.
    #[error("Please log in first.")]
    NotLoggedIn,
    /// Log-in failed. Deliberately does not say which of the two was wrong.
    #[error("Wrong username or password.")]
    BadCredentials,
    /// Sign-up chose a username someone has (compared ignoring case).
    #[error("That username is taken. Please choose another.")]
    UsernameTaken,
    /// The user is not a member of the room they asked for (HTTP 403).
    #[error("You are not a member of this room. Ask a member for an invite link.")]
    NotMember,
    /// Unknown, expired or malformed invite token: one message for all of them
    /// so that the page never tells which (HTTP 404).
    #[error("This invite link is invalid or has expired.")]
    InviteInvalid,
    /// The invite link has been used as many times as it may (HTTP 410).
    /// Only someone who pressed Join sees this; its preview page looks like
    /// any other dead link.
    #[error("This invite link has reached its limit: it cannot be used any more. Ask for a new link.")]
    InviteUsedUp,
    /// What the person asked for exists already; the text says what and
    /// where to find it (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The room holds its member limit (HTTP 409); nothing was used up.
    #[error("This room is full ({0} members). Ask its owner to make room.")]
    RoomFull(i64),
    /// The action is not allowed for this person; the text says why (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// An instant chat id that is unknown, or whose chat ended and was
    /// deleted (HTTP 404).
    #[error("This instant chat does not exist. Chats are deleted when they end; ask whoever sent the link for a new one.")]
    ChatNotFound,
    /// The instant chat is over; the text says how (HTTP 410).
    #[error("{0}")]
    ChatEnded(String),
    /// Someone in the instant chat has this display name, ignoring case (HTTP 409).
    #[error("That name is taken in this chat. Please choose another.")]
    NameTaken,
    /// The instant chat holds its maximum number of people (HTTP 409).
    #[error("This chat is full: it holds at most {0} people.")]
    ChatFull(u32),
    /// The upload is bigger than its kind allows; the text names both sizes (HTTP 413).
    #[error("{0}")]
    TooLarge(String),
    /// The upload is not a kind of file Roomlink takes; the text says what it is (HTTP 415).
    #[error("{0}")]
    UnsupportedType(String),
    /// Too many requests from this address or user; try again after this many seconds (HTTP 429).
    #[error("Too many attempts. Please try again in {0} seconds.")]
    TooManyRequests(u64),
    /// The server cannot take this now for lack of room; the text says what
    /// to do (HTTP 503).
    #[error("{0}")]
    Unavailable(String),
    /// Something that does not exist (HTTP 404).
    #[error("We could not find that.")]
    NotFound,
    /// A fault on our side; the details are in the server log.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("Could not reach Roomlink: {0}")]
    Transport(String),
    /// The language switcher named a language Roomlink does not have (HTTP 400).
    #[error("Roomlink does not have that language.")]
    UnknownLanguage,
}

impl AppError {
    /// The message for the person, in `locale`'s words (`locales/*.json`,
    /// under `errors`). The variants that carry their text were worded
    /// where they were made and show that text. (`Display` gives the
    /// English, for logs.)
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Invalid(text)
            | AppError::Conflict(text)
            | AppError::Forbidden(text)
            | AppError::ChatEnded(text)
            | AppError::TooLarge(text)
            | AppError::UnsupportedType(text)
            | AppError::Unavailable(text) => text.clone(),
            AppError::NotLoggedIn => td_string!(locale, errors.not_logged_in).to_string(),
            AppError::BadCredentials => td_string!(locale, errors.bad_credentials).to_string(),
            AppError::UsernameTaken => td_string!(locale, errors.username_taken).to_string(),
            AppError::NotMember => td_string!(locale, errors.not_member).to_string(),
            AppError::InviteInvalid => td_string!(locale, errors.invite_invalid).to_string(),
            AppError::InviteUsedUp => td_string!(locale, errors.invite_used_up).to_string(),
            AppError::RoomFull(limit) => td_string!(locale, errors.room_full, limit = limit).to_string(),
            AppError::ChatNotFound => td_string!(locale, errors.chat_not_found).to_string(),
            AppError::NameTaken => td_string!(locale, errors.name_taken).to_string(),
            AppError::ChatFull(max) => td_string!(locale, errors.chat_full, max = max).to_string(),
            AppError::TooManyRequests(seconds) => td_string!(locale, errors.too_many_requests, seconds = seconds).to_string(),
            AppError::NotFound => td_string!(locale, errors.not_found).to_string(),
            AppError::Internal => td_string!(locale, errors.internal).to_string(),
            AppError::Transport(detail) => td_string!(locale, errors.transport, detail = detail).to_string(),
            AppError::UnknownLanguage => td_string!(locale, errors.unknown_language).to_string(),
        }
    }

    /// The HTTP status a page showing this error answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::UnknownLanguage => 400,
            AppError::NotLoggedIn | AppError::BadCredentials => 401,
            AppError::NotMember | AppError::Forbidden(_) => 403,
            AppError::InviteInvalid | AppError::NotFound | AppError::ChatNotFound => 404,
            AppError::UsernameTaken | AppError::Conflict(_) | AppError::NameTaken | AppError::ChatFull(_) | AppError::RoomFull(_) => 409,
            AppError::ChatEnded(_) | AppError::InviteUsedUp => 410,
            AppError::TooLarge(_) => 413,
            AppError::UnsupportedType(_) => 415,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable(_) => 503,
        }
    }
}

/// The one mapping from an error to an HTTP answer, used by the server
/// functions ([`crate::server::api_status`]), the upload and file routes,
/// the rate limiter and the pages (`pages::set_error_status`).
#[cfg(feature = "ssr")]
impl AppError {
    /// The status this error answers with ([`AppError::http_status`]) and
    /// the headers that go with it: `Retry-After` in seconds for
    /// [`AppError::TooManyRequests`] (RFC 9110 §10.2.3), else none.
    pub fn response_head(&self) -> (axum::http::StatusCode, Option<(axum::http::HeaderName, axum::http::HeaderValue)>) {
        let status = axum::http::StatusCode::from_u16(self.http_status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = match self {
            AppError::TooManyRequests(wait_secs) => Some((axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(*wait_secs))),
            _ => None,
        };
        (status, retry_after)
    }
}

/// The error as its JSON value, with [`AppError::response_head`]'s status
/// and headers: the answer of a route that is not a server function (an
/// upload, a file) or a middleware that refuses a call.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let (status, retry_after) = self.response_head();
        let mut response = (status, axum::Json(self)).into_response();
        if let Some((name, value)) = retry_after {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        AppError::Transport(value.to_string())
    }
}
