//! Recovery by email (issue 41), against a real SMTP server on loopback
//! (Python's aiosmtpd, which `scripts/setup.sh --for-tests` installs; it
//! keeps each mail it receives in a maildir this test reads): an address
//! counts once a link sent to it is followed, a link works once and not
//! after its time, a reset link sets a new password and ends every
//! session, "Forgot password?" answers the same for anyone, and a server
//! without SMTP settings hides and refuses all of it.

use std::{path::PathBuf, time::Duration};

use reqwest::{header, StatusCode};

use crate::{
    moderation::act,
    support::{Client, TestServer},
};
use roomlink::{
    accounts::{email::EmailStatus, CurrentUser},
    error::{AppError, Refusal},
};

/// An SMTP server on 127.0.0.1 that keeps what it receives.
struct Smtp {
    port: u16,
    maildir: tempfile::TempDir,
    server: std::process::Child,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A mail as received.
#[derive(Debug)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

impl Smtp {
    async fn start() -> Smtp {
        let maildir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            // A folder that is not there yet: aiosmtpd makes it a maildir.
            .arg(maildir.path().join("mail"))
            .spawn()
            .expect("python3 -m aiosmtpd (bash scripts/setup.sh --for-tests installs it)");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "aiosmtpd did not start (is it installed? bash scripts/setup.sh --for-tests)");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Smtp { port, maildir, server }
    }

    /// A Roomlink server that sends its mail here.
    async fn server(&self) -> TestServer {
        let port = self.port;
        TestServer::start_with(|s| {
            s.smtp_host = "127.0.0.1".into();
            s.smtp_port = port;
            s.smtp_tls = "none".into();
            s.mail_from = "Roomlink <no-reply@roomlink.test>".into();
        })
        .await
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.maildir.path().join("mail/new"))
            .map(|dir| dir.map(|entry| entry.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
        files
    }

    /// Waits for mail number `n` (from 1) to arrive, and reads it.
    async fn mail(&self, n: usize) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let files = self.files();
            if files.len() >= n {
                let raw = std::fs::read(&files[n - 1]).unwrap();
                let parsed = mailparse::parse_mail(&raw).unwrap();
                let header = |name: &str| parsed.headers.iter().find(|h| h.get_key().eq_ignore_ascii_case(name)).map(|h| h.get_value());
                return Mail {
                    to: header("To").unwrap_or_default(),
                    subject: header("Subject").unwrap_or_default(),
                    body: parsed.get_body().unwrap(),
                };
            }
            assert!(tokio::time::Instant::now() < deadline, "mail {n} never came; {} did", files.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Mail {
    /// The token of the link to `path` in the mail.
    fn token(&self, path: &str) -> String {
        let at = self.body.find(&format!("{path}/")).unwrap_or_else(|| panic!("no {path} link in {:?}", self.body));
        self.body[at + path.len() + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
    }
}

async fn status(client: &Client) -> EmailStatus {
    client.json("email_options", &[]).await
}

async fn who(client: &Client) -> Option<CurrentUser> {
    client.json("current_user", &[]).await
}

/// `client` confirms `email` through the mail the server sends (mail `n`).
async fn confirm(client: &Client, smtp: &Smtp, email: &str, n: usize) {
    act(client, "add_email", &[("email", email), ("password", "correct horse")]).await.unwrap();
    let token = smtp.mail(n).await.token("/email/confirm");
    act(client, "confirm_email", &[("token", &token)]).await.unwrap();
}

#[tokio::test]
async fn an_address_counts_once_its_link_is_followed_and_a_link_works_once_within_a_day() {
    let smtp = Smtp::start().await;
    let s = smtp.server().await;
    let ana = s.user("ana").await;
    assert_eq!(status(&ana).await, EmailStatus { enabled: true, address: None, awaiting: None });

    // Bad input is named, and nothing is sent.
    let add = |email: &'static str, password: &'static str| {
        let ana = ana.clone();
        async move { act(&ana, "add_email", &[("email", email), ("password", password)]).await }
    };
    assert_eq!(add("ana@example.com", "not my password").await, Err(AppError::Invalid(Refusal::WrongCurrentPassword)));
    assert_eq!(add("ana at example", "correct horse").await, Err(AppError::Invalid(Refusal::EmailInvalid)));
    assert_eq!(add("ana@localhost", "correct horse").await, Err(AppError::Invalid(Refusal::EmailInvalid)));
    let long = format!("{}@example.com", "a".repeat(250));
    let too_long = act(&ana, "add_email", &[("email", &long), ("password", "correct horse")]).await;
    assert_eq!(too_long, Err(AppError::Invalid(Refusal::EmailTooLong { max: 254 })));

    let r = ana.call("add_email", &[("email", " ana@example.com "), ("password", "correct horse")]).await;
    assert_eq!(r.headers()[header::LOCATION], "/profile?email_sent");
    let mail = smtp.mail(1).await;
    assert_eq!((mail.to.as_str(), mail.subject.as_str()), ("ana@example.com", "Confirm your email address for Roomlink"));
    assert!(mail.body.contains("Hi ana,") && mail.body.contains(&format!("http://{}/email/confirm/", s.addr)), "{}", mail.body);
    let token = mail.token("/email/confirm");
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM email_tokens").fetch_all(s.store.pool()).await.unwrap();
    assert_eq!(stored, [roomlink::invite_token::hash(&token).unwrap()], "only the token's hash is kept");
    assert_eq!(status(&ana).await.awaiting.as_deref(), Some("ana@example.com"));
    assert_eq!(status(&ana).await.address, None, "not before the link is followed");

    // Opening the link (a mail scanner would too) changes nothing.
    let (code, page) = s.client().page(&format!("/email/confirm/{token}")).await;
    assert_eq!(code, StatusCode::OK);
    assert!(page.contains("Confirm ana@example.com as the recovery address of the Roomlink account ana?"), "{page}");
    assert_eq!(status(&ana).await.address, None);
    // Its button does, from any browser, once.
    let r = s.client().call("confirm_email", &[("token", &token)]).await;
    assert_eq!(r.headers()[header::LOCATION], "/?email_confirmed");
    assert_eq!(status(&ana).await, EmailStatus { enabled: true, address: Some("ana@example.com".into()), awaiting: None });
    assert_eq!(act(&s.client(), "confirm_email", &[("token", &token)]).await, Err(AppError::Invalid(Refusal::EmailLinkEnded)));
    let (_, page) = s.client().page(&format!("/email/confirm/{token}")).await;
    assert!(page.contains("This link no longer works"));

    // A link past its 24 hours does nothing.
    add("ana@example.org", "correct horse").await.unwrap();
    let late = smtp.mail(2).await.token("/email/confirm");
    sqlx::query("UPDATE email_tokens SET expires_at = 1 WHERE used_at IS NULL").execute(s.store.pool()).await.unwrap();
    assert_eq!(act(&s.client(), "confirm_email", &[("token", &late)]).await, Err(AppError::Invalid(Refusal::EmailLinkEnded)));
    assert_eq!(status(&ana).await.address.as_deref(), Some("ana@example.com"));

    // An address confirmed for one account cannot be confirmed for another.
    let bruno = s.user("bruno").await;
    act(&bruno, "add_email", &[("email", "ANA@example.com"), ("password", "correct horse")]).await.unwrap();
    let theirs = smtp.mail(3).await.token("/email/confirm");
    assert_eq!(act(&bruno, "confirm_email", &[("token", &theirs)]).await, Err(AppError::Invalid(Refusal::EmailTaken)));

    // Mails to one account are limited: two sent to ana, three more, then no.
    for _ in 0..3 {
        add("ana@example.net", "correct horse").await.unwrap();
    }
    assert!(matches!(add("ana@example.net", "correct horse").await, Err(AppError::TooManyRequests(_))));

    // Removing the address takes the password.
    assert_eq!(act(&ana, "remove_email", &[("password", "nope nope")]).await, Err(AppError::Invalid(Refusal::WrongCurrentPassword)));
    act(&ana, "remove_email", &[("password", "correct horse")]).await.unwrap();
    assert_eq!(status(&ana).await.address, None);
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_within_an_hour_and_ends_every_session() {
    let smtp = Smtp::start().await;
    let s = smtp.server().await;
    let ana = s.user("ana").await;
    confirm(&ana, &smtp, "ana@example.com", 1).await;
    let mut socket = ana.live().await;

    // The same answer for an account without an address, an unknown one and ana.
    let carla = s.user("carla").await;
    drop(carla);
    let mut answers = Vec::new();
    for who in ["carla", "nobody", "ANA@example.com"] {
        let r = s.client().call("send_reset_link", &[("username_or_email", who)]).await;
        answers.push((r.status(), r.headers().get(header::LOCATION).cloned()));
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(answers[0].1.as_ref().unwrap(), "/recover?sent");
    let (_, page) = s.client().page("/recover?sent").await;
    assert!(page.contains("If that account has a confirmed email address, we sent a link to it."));
    let mail = smtp.mail(2).await;
    assert_eq!((mail.to.as_str(), mail.subject.as_str()), ("ana@example.com", "Reset your Roomlink password"));
    let token = mail.token("/reset-password");

    // The page names the account and changes nothing.
    let stranger = s.client();
    let (_, page) = stranger.page(&format!("/reset-password/{token}")).await;
    assert!(page.contains("Set a new password for ana."), "{page}");
    // A password the rules refuse does not spend the link.
    let short = act(&stranger, "reset_password", &[("token", &token), ("new_password", "short")]).await;
    assert!(matches!(short, Err(AppError::Invalid(Refusal::PasswordTooShort { .. }))), "{short:?}");
    let r = stranger.call("reset_password", &[("token", &token), ("new_password", "a new password")]).await;
    assert_eq!(r.headers()[header::LOCATION], "/profile?recovered");
    assert_eq!(who(&stranger).await.map(|u| u.username), Some("ana".into()), "this browser is logged in");
    assert_eq!(who(&ana).await, None, "every other session ended");
    assert!(socket.closed().await, "and its socket closed");
    assert!(act(&s.client(), "log_in", &[("username", "ana"), ("password", "correct horse")]).await.is_err());
    act(&s.client(), "log_in", &[("username", "ana"), ("password", "a new password")]).await.unwrap();

    // Once only.
    let again = act(&s.client(), "reset_password", &[("token", &token), ("new_password", "another password")]).await;
    assert_eq!(again, Err(AppError::Invalid(Refusal::EmailLinkEnded)));
    // And not after its hour.
    act(&s.client(), "send_reset_link", &[("username_or_email", "ana")]).await.unwrap();
    let late = smtp.mail(3).await.token("/reset-password");
    sqlx::query("UPDATE email_tokens SET expires_at = 1 WHERE used_at IS NULL").execute(s.store.pool()).await.unwrap();
    let (_, page) = s.client().page(&format!("/reset-password/{late}")).await;
    assert!(page.contains("This link no longer works"));
    let expired = act(&s.client(), "reset_password", &[("token", &late), ("new_password", "another password")]).await;
    assert_eq!(expired, Err(AppError::Invalid(Refusal::EmailLinkEnded)));
    assert_eq!(smtp.files().len(), 3, "no mail for carla (no address) nor for nobody");
}

#[tokio::test]
async fn without_smtp_settings_the_email_options_are_hidden_and_refused() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    assert_eq!(status(&ana).await, EmailStatus::default());
    let add = act(&ana, "add_email", &[("email", "ana@example.com"), ("password", "correct horse")]).await;
    assert_eq!(add, Err(AppError::Invalid(Refusal::EmailOff)));
    let reset = act(&s.client(), "send_reset_link", &[("username_or_email", "ana")]).await;
    assert_eq!(reset, Err(AppError::Invalid(Refusal::EmailOff)));
    let (_, profile) = ana.page("/profile").await;
    assert!(profile.contains("Recovery codes") && !profile.contains("Email for recovery"));
    let (_, recover) = s.client().page("/recover").await;
    assert!(recover.contains("Set a new password") && !recover.contains("Or get a link by email"));

    // With SMTP, both show (and without JavaScript: they are in the HTML).
    let smtp = Smtp::start().await;
    let s = smtp.server().await;
    let ana = s.user("ana").await;
    assert!(ana.page("/profile").await.1.contains("Email for recovery"));
    assert!(s.client().page("/recover").await.1.contains("Or get a link by email"));
}
