//! Sending Roomlink's mail (recovery by email, issue 41) over SMTP with
//! lettre, as the settings say (`smtp_*`, `mail_from`; the password only
//! from `ROOMLINK_SMTP_PASSWORD`). No SMTP settings, no mailer: the email
//! options are hidden.

use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::settings::Settings;

/// An SMTP connection's settings and the sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Why a mail was not sent (logged; never shown: people are told the same
/// whether or not mail went out).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The address could not be written into a message.
    #[error("building the message: {0}")]
    Build(String),
    /// The SMTP server refused or could not be reached.
    #[error("sending: {0}")]
    Send(String),
}

impl Mailer {
    /// The mailer the settings describe; `Ok(None)` without `smtp_host`.
    /// Errors: a message naming the bad setting (checked at start-up).
    pub fn from_settings(settings: &Settings) -> Result<Option<Mailer>, String> {
        if settings.smtp_host.is_empty() {
            return Ok(None);
        }
        let host = settings.smtp_host.as_str();
        let builder = match settings.smtp_tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            _ => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
        }
        .map_err(|e| format!("smtp_host {host:?}: {e}"))?;
        let mut builder = builder.port(settings.smtp_port).timeout(Some(std::time::Duration::from_secs(crate::limits::SMTP_TIMEOUT_SECS)));
        if !settings.smtp_username.is_empty() {
            let password = settings.smtp_password.0.clone().unwrap_or_default();
            builder = builder.credentials(Credentials::new(settings.smtp_username.clone(), password));
        }
        let from = settings.mail_from.parse::<Mailbox>().map_err(|e| format!("mail_from {:?}: {e}", settings.mail_from))?;
        Ok(Some(Mailer { transport: builder.build(), from }))
    }

    /// Sends a plain-text mail with `subject` and `body` to `to` (an address
    /// checked already).
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport.send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }
}
