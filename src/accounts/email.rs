//! Recovery by email (issue 41). A person may add an email address to
//! their account; it counts once they follow the link sent to it (a random
//! token, only its hash kept, working [`crate::limits::EMAIL_CONFIRM_LINK_MS`],
//! once). With a confirmed address, "Forgot password?" can also send a
//! reset link (working [`crate::limits::EMAIL_RESET_LINK_MS`], once; every
//! session ends when it is used). The answer to "Forgot password?" is the
//! same whether or not the account or the address exists, and comes before
//! any mail is sent, so its timing says nothing either.
//!
//! Links open pages that change nothing (a link-preview bot or a mail
//! scanner may open them): the change is a button on the page, a POST.
//!
//! Without SMTP settings ([`crate::context::mail`]) every option here is
//! hidden and refused with [`Refusal::EmailOff`]; recovery codes still work.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::Refusal;
use crate::error::AppError;

/// The path of a confirmation link's page, before its token.
pub const CONFIRM_EMAIL_PATH: &str = "/email/confirm";
/// The path of a password-reset link's page, before its token.
pub const RESET_PASSWORD_PATH: &str = "/reset-password";

/// What the profile and "Forgot password?" show of email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailStatus {
    /// Whether this server sends mail (SMTP is set up).
    pub enabled: bool,
    /// The logged-in account's confirmed address.
    pub address: Option<String>,
    /// The address a confirmation link that still works was sent to.
    pub awaiting: Option<String>,
}

/// Whose a link is, for the page it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailLinkView {
    /// The account's username.
    pub username: String,
    /// The address the link was sent to.
    pub email: String,
}

/// Whether this server sends mail, and (logged in) the account's address
/// and the one awaiting confirmation.
#[server(endpoint = "email_options")]
pub async fn email_options() -> Result<EmailStatus, AppError> {
    let state = crate::context::state()?;
    let enabled = state.mailer.is_some();
    let Some(me) = super::ssr::current_user().await? else {
        return Ok(EmailStatus { enabled, ..EmailStatus::default() });
    };
    let tokens = state.store.email_tokens();
    let address = tokens.address_of(me.id).await?;
    let awaiting = tokens.awaiting_confirmation(me.id, crate::clock::now_ms()).await?.filter(|a| Some(a) != address.as_ref());
    Ok(EmailStatus { enabled, address, awaiting })
}

/// Sends a confirmation link to `email` for the logged-in account, once
/// `password` is checked (whoever holds a session must not be able to
/// route recovery to themselves). The address counts once the link is
/// followed ([`confirm_email`]); until then a confirmed one stays.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Invalid`] with
/// [`Refusal::EmailOff`], [`Refusal::EmailInvalid`],
/// [`Refusal::EmailTooLong`], [`Refusal::WrongCurrentPassword`] or
/// [`Refusal::EmailNotSent`]; [`AppError::TooManyRequests`] past
/// [`crate::limits::EMAILS_PER_ACCOUNT_PER_HOUR`] or the password checks.
#[server(endpoint = "add_email")]
pub async fn add_email(email: String, password: String) -> Result<(), AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    let mailer = state.mailer.clone().ok_or(AppError::Invalid(Refusal::EmailOff))?;
    let email = ssr::check_email(&email).map_err(AppError::Invalid)?;
    super::sessions::ssr::check_password_of(&state, &me, password).await?;
    if let Some(wait_secs) = ssr::over_the_mail_limit(&state, me.id).await? {
        return Err(AppError::TooManyRequests(wait_secs));
    }
    let locale = ssr::request_locale();
    let origin = crate::context::public_origin(&state.settings);
    ssr::send_link(&state, &mailer, ssr::Link::Confirm, me.id, &me.username, &email, &origin, locale)
        .await
        .map_err(|_| AppError::Invalid(Refusal::EmailNotSent))?;
    tracing::info!(user_id = me.id, "confirmation link sent");
    leptos_axum::redirect("/profile?email_sent");
    Ok(())
}

/// Removes the logged-in account's address (and ends the links sent to
/// it), once `password` is checked.
///
/// Errors: [`AppError::NotLoggedIn`]; [`AppError::Invalid`] with
/// [`Refusal::WrongCurrentPassword`]; [`AppError::TooManyRequests`].
#[server(endpoint = "remove_email")]
pub async fn remove_email(password: String) -> Result<(), AppError> {
    let me = super::ssr::require_user().await?;
    let state = crate::context::state()?;
    super::sessions::ssr::check_password_of(&state, &me, password).await?;
    state.store.email_tokens().remove(me.id, crate::clock::now_ms()).await?;
    tracing::info!(user_id = me.id, "email address removed");
    leptos_axum::redirect("/profile");
    Ok(())
}

/// Whose the confirmation link with `token` is, while it works; `None`
/// once used or expired (or never made). Changes nothing.
#[server(endpoint = "confirm_link")]
pub async fn confirm_link(token: String) -> Result<Option<EmailLinkView>, AppError> {
    ssr::working_link(&token, crate::store::EmailPurpose::Confirm).await
}

/// Whose the password-reset link with `token` is, while it works; `None`
/// once used or expired (or never made). Changes nothing.
#[server(endpoint = "reset_link")]
pub async fn reset_link(token: String) -> Result<Option<EmailLinkView>, AppError> {
    ssr::working_link(&token, crate::store::EmailPurpose::Reset).await
}

/// Follows a confirmation link: its address becomes the account's
/// (replacing any other), and the browser goes home, which says so.
///
/// Errors: [`AppError::Invalid`] with [`Refusal::EmailLinkEnded`] (used,
/// expired or unknown) or [`Refusal::EmailTaken`] (another account
/// confirmed it first).
#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    use crate::store::Confirmed;
    let state = crate::context::state()?;
    let hash = crate::invite_token::hash(token.trim()).ok_or(AppError::Invalid(Refusal::EmailLinkEnded))?;
    match state.store.email_tokens().confirm(&hash, crate::clock::now_ms()).await? {
        Confirmed::Done(link) => {
            tracing::info!(user_id = link.user_id, "email address confirmed");
            leptos_axum::redirect("/?email_confirmed");
            Ok(())
        }
        Confirmed::LinkEnded => Err(AppError::Invalid(Refusal::EmailLinkEnded)),
        Confirmed::AddressTaken => Err(AppError::Invalid(Refusal::EmailTaken)),
    }
}

/// "Forgot password?" by email: if `username_or_email` names an account
/// with a confirmed address, a reset link goes to that address. The answer
/// is the same either way, and comes before the mail is sent (a mail that
/// fails is logged); it goes to `/recover?sent`, which says "if…".
/// Limited per client address as log-ins are (`server::rate_limit`), and
/// per account by [`crate::limits::EMAILS_PER_ACCOUNT_PER_HOUR`] (silently).
///
/// Errors: [`AppError::Invalid`] with [`Refusal::EmailOff`].
#[server(endpoint = "send_reset_link")]
pub async fn send_reset_link(username_or_email: String) -> Result<(), AppError> {
    let state = crate::context::state()?;
    let mailer = state.mailer.clone().ok_or(AppError::Invalid(Refusal::EmailOff))?;
    let locale = ssr::request_locale();
    let origin = crate::context::public_origin(&state.settings);
    let who: String = username_or_email.trim().chars().take(crate::limits::EMAIL_MAX_CHARS).collect();
    tokio::spawn(async move {
        if let Err(e) = ssr::send_reset(&state, &mailer, &who, &origin, locale).await {
            tracing::error!(error = %e, "sending a reset link failed");
        }
    });
    leptos_axum::redirect("/recover?sent");
    Ok(())
}

/// Sets `new_password` (checked as at sign-up) through a reset link: the
/// link is used up, every session of the account ends (their sockets
/// close), and this browser is logged in, going to the profile.
///
/// Errors: [`AppError::Invalid`] with the password rules' refusal (checked
/// first, so the link is not spent) or [`Refusal::EmailLinkEnded`].
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    super::rules::check_password(&new_password).map_err(AppError::Invalid)?;
    let state = crate::context::state()?;
    let hash = crate::invite_token::hash(token.trim()).ok_or(AppError::Invalid(Refusal::EmailLinkEnded))?;
    let link = state.store.email_tokens().redeem_reset(&hash, crate::clock::now_ms()).await?;
    let link = link.ok_or(AppError::Invalid(Refusal::EmailLinkEnded))?;
    super::recovery::ssr::set_password_and_log_in(&state, link.user_id, &link.username, new_password, "a reset link").await?;
    leptos_axum::redirect("/profile?recovered");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Addresses, links and the mail itself.

    use crate::{
        clock::now_ms,
        context::{mail::Mailer, AppState},
        error::{AppError, Refusal},
        i18n::{td_string, Locale},
        limits::{EMAILS_PER_ACCOUNT_PER_HOUR, EMAIL_CONFIRM_LINK_MS, EMAIL_MAX_CHARS, EMAIL_RESET_LINK_MS},
        store::EmailPurpose,
    };

    use super::EmailLinkView;

    /// Which link a mail carries.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Link {
        /// Confirms the address.
        Confirm,
        /// Sets a new password.
        Reset,
    }

    /// `raw` trimmed, if it is an email address lettre can send to (RFC
    /// 5322's `local@domain`) of at most [`EMAIL_MAX_CHARS`] characters.
    pub fn check_email(raw: &str) -> Result<String, Refusal> {
        let email = raw.trim();
        if email.chars().count() > EMAIL_MAX_CHARS {
            return Err(Refusal::EmailTooLong { max: EMAIL_MAX_CHARS });
        }
        // A domain without a dot is allowed by the RFC but is never a
        // person's mailbox on the internet.
        let parsed = email.parse::<lettre::Address>().ok().filter(|a| a.domain().contains('.'));
        parsed.map(|_| email.to_string()).ok_or(Refusal::EmailInvalid)
    }

    /// The language the request reads (the reader's choice or their
    /// browser's), for the mail.
    pub fn request_locale() -> Locale {
        crate::context::request_context::<axum::http::request::Parts>()
            .map_or(Locale::en, |parts| crate::i18n::negotiation::request_locale(&parts.headers))
    }

    /// Seconds until the account may be sent another mail, when it has had
    /// [`EMAILS_PER_ACCOUNT_PER_HOUR`] in the last hour.
    pub async fn over_the_mail_limit(state: &AppState, user_id: i64) -> Result<Option<u64>, AppError> {
        let sent = state.store.email_tokens().sent_since(user_id, now_ms() - 3_600_000).await?;
        Ok((sent >= EMAILS_PER_ACCOUNT_PER_HOUR).then_some(3600))
    }

    /// The link with `token`, while it works for `purpose`.
    pub async fn working_link(token: &str, purpose: EmailPurpose) -> Result<Option<EmailLinkView>, AppError> {
        let state = crate::context::state()?;
        let Some(hash) = crate::invite_token::hash(token.trim()) else { return Ok(None) };
        let link = state.store.email_tokens().working(&hash, purpose, now_ms()).await?;
        Ok(link.map(|link| EmailLinkView { username: link.username, email: link.email }))
    }

    /// Makes a link of kind `link` for account `user_id` (`username`),
    /// keeps its hash, and mails it to `email` in `locale`, as an address
    /// under `origin`.
    #[allow(clippy::too_many_arguments)]
    pub async fn send_link(
        state: &AppState,
        mailer: &Mailer,
        link: Link,
        user_id: i64,
        username: &str,
        email: &str,
        origin: &str,
        locale: Locale,
    ) -> Result<(), AppError> {
        let (token, hash) = crate::invite_token::generate();
        let now = now_ms();
        let (purpose, lasts, path) = match link {
            Link::Confirm => (EmailPurpose::Confirm, EMAIL_CONFIRM_LINK_MS, super::CONFIRM_EMAIL_PATH),
            Link::Reset => (EmailPurpose::Reset, EMAIL_RESET_LINK_MS, super::RESET_PASSWORD_PATH),
        };
        state.store.email_tokens().add(&hash, user_id, purpose, email, now, now + lasts).await?;
        let url = format!("{origin}{path}/{token}");
        let (subject, body) = match link {
            Link::Confirm => (
                td_string!(locale, email.confirm_subject).to_string(),
                td_string!(locale, email.confirm_body, username, url).to_string(),
            ),
            Link::Reset => (
                td_string!(locale, email.reset_subject).to_string(),
                td_string!(locale, email.reset_body, username, url).to_string(),
            ),
        };
        mailer.send(email, &subject, body).await.map_err(|e| {
            tracing::error!(error = %e, "a mail was not sent");
            AppError::Internal
        })
    }

    /// Sends a reset link for the account `who` names, if it has a
    /// confirmed address and is under the mail limit; does nothing otherwise.
    pub async fn send_reset(state: &AppState, mailer: &Mailer, who: &str, origin: &str, locale: Locale) -> Result<(), AppError> {
        let Some((user_id, username, email)) = state.store.email_tokens().account_with_address(who).await? else {
            return Ok(());
        };
        if over_the_mail_limit(state, user_id).await?.is_some() {
            tracing::warn!(user_id, "reset link not sent: past the account's mail limit");
            return Ok(());
        }
        send_link(state, mailer, Link::Reset, user_id, &username, &email, origin, locale).await?;
        tracing::info!(user_id, "reset link sent");
        Ok(())
    }
}
