//! The error type that server functions return to the browser.
//!
//! Every variant's message is written for the person using Roomlink: it says
//! what went wrong and, where they can, what to do, in the reader's language
//! ([`AppError::message`]): errors travel without words (a variant, or a
//! [`Refusal`] with what its words need). Causes that are ours (database
//! faults and the like) are logged on the server with `tracing` and reach
//! the browser only as [`AppError::Internal`].

pub mod refusal;

pub use refusal::{Action, Field, Refusal};

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use leptos::server_fn::{
    self, codec::JsonEncoding, error::FromServerFnError, ServerFnError,
};

/// What a server function can answer instead of its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input broke a rule; the refusal says which and how to fix it.
    #[error("{0}")]
    Invalid(Refusal),
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
    /// What the person asked for exists already; the refusal says what and
    /// where to find it (HTTP 409).
    #[error("{0}")]
    Conflict(Refusal),
    /// The room holds its member limit (HTTP 409); nothing was used up.
    #[error("This room is full ({0} members). Ask its owner to make room.")]
    RoomFull(i64),
    /// The action is not allowed for this person; the refusal says why (HTTP 403).
    #[error("{0}")]
    Forbidden(Refusal),
    /// An instant chat id that is unknown, or whose chat ended and was
    /// deleted (HTTP 404).
    #[error("This instant chat does not exist. Chats are deleted when they end; ask whoever sent the link for a new one.")]
    ChatNotFound,
    /// The instant chat is over; the refusal says how (HTTP 410).
    #[error("{0}")]
    ChatEnded(Refusal),
    /// Someone in the instant chat has this display name, ignoring case (HTTP 409).
    #[error("That name is taken in this chat. Please choose another.")]
    NameTaken,
    /// The instant chat holds its maximum number of people (HTTP 409).
    #[error("This chat is full: it holds at most {0} people.")]
    ChatFull(u32),
    /// The upload is bigger than its kind allows; the refusal names both sizes (HTTP 413).
    #[error("{0}")]
    TooLarge(Refusal),
    /// The upload is not a kind of file Roomlink takes; the refusal says what it is (HTTP 415).
    #[error("{0}")]
    UnsupportedType(Refusal),
    /// Too many requests from this address or user; try again after this many seconds (HTTP 429).
    #[error("Too many attempts. Please try again in {0} seconds.")]
    TooManyRequests(u64),
    /// The server cannot take this now for lack of room or time; the
    /// refusal says what to do (HTTP 503).
    #[error("{0}")]
    Unavailable(Refusal),
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
    /// under `errors`, and under `refusals` for a [`Refusal`]). (`Display`
    /// gives the English, for logs.)
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Invalid(refusal)
            | AppError::Conflict(refusal)
            | AppError::Forbidden(refusal)
            | AppError::ChatEnded(refusal)
            | AppError::TooLarge(refusal)
            | AppError::UnsupportedType(refusal)
            | AppError::Unavailable(refusal) => refusal.message(locale),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_reads_in_each_language() {
        let fixed = [
            AppError::NotLoggedIn,
            AppError::BadCredentials,
            AppError::UsernameTaken,
            AppError::NotMember,
            AppError::InviteInvalid,
            AppError::InviteUsedUp,
            AppError::RoomFull(50),
            AppError::ChatNotFound,
            AppError::NameTaken,
            AppError::ChatFull(5),
            AppError::TooManyRequests(30),
            AppError::NotFound,
            AppError::Internal,
            AppError::Transport("timeout".into()),
            AppError::UnknownLanguage,
        ];
        for error in fixed {
            let (english, portuguese) = (error.message(Locale::en), error.message(Locale::pt_BR));
            assert_eq!(english, error.to_string(), "the English words are the log's");
            assert_ne!(english, portuguese, "{error:?} reads the same in both languages");
        }
        let refused = AppError::Forbidden(Refusal::Banned);
        assert_eq!(refused.message(Locale::pt_BR), "Você foi banido desta sala e não pode entrar de novo.");
        assert_eq!(refused.to_string(), "You are banned from this room and cannot join it again.");
    }
}
