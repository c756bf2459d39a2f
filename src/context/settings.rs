//! Runtime settings, read the way Rocket reads `Rocket.toml`: defaults, then
//! `Leptos.toml` (or the file named by `ROOMLINK_CONFIG`), then environment
//! variables `ROOMLINK_<SETTING>` (and plain `DATABASE_URL`), later winning.
//! Parsing is figment's. Also Leptos' own options ([`leptos_options`]),
//! which `Cargo.toml` and the build's hash file give.

use std::{net::SocketAddr, path::PathBuf};

use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use leptos::config::{get_configuration, LeptosOptions};
use serde::{Deserialize, Serialize};

/// Roomlink's runtime settings. See the table in the README.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// Address to listen on. Default `127.0.0.1:3000`.
    pub address: SocketAddr,
    /// Database URL. Default `sqlite://data/roomlink.db`.
    pub database_url: String,
    /// Folder for data files: `secret.key`, the key that signs guest cookies,
    /// is made here on first start unless `ROOMLINK_SECRET` is set. Default `data`.
    pub data_dir: PathBuf,
    /// Origin people reach the server at, e.g. `https://chat.example.com`.
    /// Used in invite links and for cross-site checks. Empty: taken from
    /// each request's `Host` header (scheme `https` when `secure_cookies`).
    pub public_origin: String,
    /// Mark cookies `Secure` (set when serving over HTTPS). Default false.
    pub secure_cookies: bool,
    /// How long a new invite link works, in hours. Default 168 (7 days).
    pub invite_lifetime_hours: u32,
    /// How long an instant chat lasts from its start, in hours. Default 24.
    pub instant_chat_hours: u32,
    /// Most participants in one instant chat, the host included. Default 50.
    pub instant_chat_max_participants: u32,
    /// How often ended and expired instant chats are deleted, in seconds.
    /// Default 30, so nothing outlives its end by more than a minute.
    pub instant_chat_sweep_secs: u32,
    /// A live connection that sends nothing (not even its 10-second
    /// heartbeat) for this many seconds is closed and its person shown
    /// offline. Default 30.
    pub live_idle_timeout_secs: u32,
    /// Lines one live socket may send per second, steadily, after a burst
    /// of [`crate::limits::LIVE_LINES_BURST`]. Default
    /// [`crate::limits::LIVE_LINES_PER_SECOND`]; 0 turns the limit off (for
    /// load tests, whose simulated tabs send far faster than people).
    pub live_lines_per_second: u32,
    /// Reverse proxies whose `X-Forwarded-For` (or `Forwarded`) names the
    /// client, as addresses or CIDR ranges, e.g. `["127.0.0.1", "10.0.0.0/8"]`.
    /// Default none: the TCP peer is the client (see
    /// [`super::client_address`]). Behind a proxy that is not listed, every
    /// person shares the proxy's rate limits.
    pub trusted_proxies: Vec<String>,
    /// Accounts one client address may make per hour (a burst of this many,
    /// then one every 3600/n seconds). Default
    /// [`crate::limits::SIGN_UPS_PER_ADDRESS_PER_HOUR`]; 0 turns the limit
    /// off (for the browser tests, which sign up dozens of people from one address).
    pub sign_ups_per_address_per_hour: u32,
    /// MiB of lines all instant chats without history may hold in memory,
    /// together (see [`crate::instant::memory`]). Default
    /// [`crate::limits::INSTANT_MEMORY_LINES_TOTAL_BYTES`] (256 MiB); at
    /// least 1. Past it the largest chats drop their oldest lines first;
    /// from nine tenths of it no new chat without history starts.
    pub instant_memory_mib: u32,
    /// SMTP server for recovery by email ([`super::mail`]), e.g.
    /// `smtp.example.com`. Empty (the default): no email; the email options
    /// are hidden and recovery codes still work.
    pub smtp_host: String,
    /// The SMTP server's port. Default 587.
    pub smtp_port: u16,
    /// `starttls` (the default: plain, then upgraded; port 587), `tls`
    /// (TLS from the start; port 465) or `none` (never encrypted: only for
    /// a server on this machine, as in the tests).
    pub smtp_tls: String,
    /// Username for the SMTP server; empty: it takes mail without logging in.
    /// Its password is read from the environment only
    /// (`ROOMLINK_SMTP_PASSWORD`), never from the file.
    pub smtp_username: String,
    /// The sender of Roomlink's mail, e.g. `Roomlink <no-reply@chat.example.com>`.
    /// Required with `smtp_host`.
    pub mail_from: String,
    /// `ROOMLINK_SMTP_PASSWORD`; never read from the file, never printed.
    #[serde(skip)]
    pub smtp_password: SmtpPassword,
}

/// The SMTP password, which `Debug` never shows (settings may be logged).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SmtpPassword(pub Option<String>);

impl std::fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "SmtpPassword(set)" } else { "SmtpPassword(none)" })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            address: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database_url: "sqlite://data/roomlink.db".into(),
            data_dir: PathBuf::from("data"),
            public_origin: String::new(),
            secure_cookies: false,
            invite_lifetime_hours: 168,
            instant_chat_hours: 24,
            instant_chat_max_participants: 50,
            instant_chat_sweep_secs: 30,
            live_idle_timeout_secs: 30,
            live_lines_per_second: crate::limits::LIVE_LINES_PER_SECOND,
            trusted_proxies: Vec::new(),
            sign_ups_per_address_per_hour: crate::limits::SIGN_UPS_PER_ADDRESS_PER_HOUR,
            instant_memory_mib: (crate::limits::INSTANT_MEMORY_LINES_TOTAL_BYTES >> 20) as u32,
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: "starttls".into(),
            smtp_username: String::new(),
            mail_from: String::new(),
            smtp_password: SmtpPassword::default(),
        }
    }
}

impl Settings {
    /// Loads the settings. Errors: a message naming the bad key or file.
    pub fn load() -> Result<Settings, String> {
        let file = std::env::var("ROOMLINK_CONFIG").unwrap_or_else(|_| "Leptos.toml".into());
        if Figment::from(Toml::file(&file)).find_value("smtp_password").is_ok() {
            return Err(format!("{file}: keep the SMTP password out of the file; set ROOMLINK_SMTP_PASSWORD instead"));
        }
        let mut settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(&file))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("ROOMLINK_").ignore(&["CONFIG"]))
            .extract()
            .map_err(|e| format!("settings ({file} and ROOMLINK_* variables): {e}"))?;
        settings.smtp_password = SmtpPassword(std::env::var("ROOMLINK_SMTP_PASSWORD").ok().filter(|p| !p.is_empty()));
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), String> {
        if self.invite_lifetime_hours == 0 {
            return Err("invite_lifetime_hours must be at least 1".into());
        }
        if self.instant_chat_hours == 0 {
            return Err("instant_chat_hours must be at least 1".into());
        }
        if self.instant_chat_max_participants < 2 {
            return Err("instant_chat_max_participants must be at least 2".into());
        }
        if self.live_idle_timeout_secs == 0 {
            return Err("live_idle_timeout_secs must be at least 1 (clients send a heartbeat every 10 s)".into());
        }
        if self.instant_memory_mib == 0 {
            return Err("instant_memory_mib must be at least 1".into());
        }
        if !self.smtp_host.is_empty() {
            if !matches!(self.smtp_tls.as_str(), "starttls" | "tls" | "none") {
                return Err(format!("smtp_tls must be \"starttls\", \"tls\" or \"none\", not {:?}", self.smtp_tls));
            }
            if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(format!(
                    "mail_from must be a sender such as \"Roomlink <no-reply@chat.example.com>\" when smtp_host is set, not {:?}",
                    self.mail_from
                ));
            }
        }
        if !(1..=60).contains(&self.instant_chat_sweep_secs) {
            return Err("instant_chat_sweep_secs must be 1-60".into());
        }
        super::client_address::parse_trusted(&self.trusted_proxies)?;
        let origin = self.public_origin.trim_end_matches('/');
        if !origin.is_empty() && !(origin.starts_with("http://") || origin.starts_with("https://")) {
            return Err(format!("public_origin must start with http:// or https:// (got {origin:?})"));
        }
        Ok(())
    }
}

/// Leptos' options: from cargo-leptos' environment when it runs us, else from
/// `Cargo.toml`'s `[package.metadata.leptos]`, else built-in defaults.
pub fn leptos_options(address: SocketAddr) -> LeptosOptions {
    let from_env = std::env::var_os("LEPTOS_OUTPUT_NAME").is_some();
    let conf = if from_env { get_configuration(None) } else { get_configuration(Some("Cargo.toml")) };
    let mut options = match conf {
        Ok(conf) => conf.leptos_options,
        Err(_) => LeptosOptions::builder().output_name("roomlink").site_root("target/site").build(),
    };
    options.site_addr = address;
    // `hash-files` names assets by content; the names are in the hash file
    // the build writes beside this binary. Used whenever it is there (also
    // where no Cargo.toml is at hand, as on a deployed node); a binary built
    // another way (the tests' debug build) has none and serves the plain
    // names: Leptos would otherwise fail every page looking for it.
    options.hash_files = hash_file_beside_binary(&options).exists();
    options
}

/// Where Leptos looks for the asset names of a `hash-files` build: the
/// options' `hash_file` (`hash.txt`) in the running binary's folder.
fn hash_file_beside_binary(options: &LeptosOptions) -> std::path::PathBuf {
    let folder = std::env::current_exe().ok().and_then(|exe| exe.parent().map(std::path::Path::to_path_buf));
    folder.unwrap_or_default().join(options.hash_file.as_ref())
}

/// Where uploaded files are kept: `<data_dir>/uploads`.
pub fn uploads_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("uploads")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "address = \"127.0.0.1:4000\"\ninvite_lifetime_hours = 24\n")?;
            jail.set_env("ROOMLINK_INVITE_LIFETIME_HOURS", "48");
            jail.set_env("DATABASE_URL", "sqlite://elsewhere.db");
            let s = Settings::load().map_err(figment::Error::from)?;
            assert_eq!(s.address.port(), 4000);
            assert_eq!(s.invite_lifetime_hours, 48);
            assert_eq!(s.database_url, "sqlite://elsewhere.db");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "address = \"nowhere\"\n")?;
            let err = Settings::load().unwrap_err();
            assert!(err.contains("address"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_smtp_password_comes_from_the_environment_only_and_is_never_printed() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "smtp_host = \"smtp.example.com\"\nsmtp_password = \"hunter22\"\n")?;
            let err = Settings::load().unwrap_err();
            assert!(err.contains("ROOMLINK_SMTP_PASSWORD") && !err.contains("hunter22"), "{err}");
            jail.create_file(
                "Leptos.toml",
                "smtp_host = \"smtp.example.com\"\nsmtp_username = \"roomlink\"\nmail_from = \"Roomlink <no-reply@example.com>\"\n",
            )?;
            jail.set_env("ROOMLINK_SMTP_PASSWORD", "hunter22");
            let s = Settings::load().map_err(figment::Error::from)?;
            assert_eq!(s.smtp_password.0.as_deref(), Some("hunter22"));
            assert!(!format!("{s:?}").contains("hunter22"), "Debug hides it");
            assert!(super::super::mail::Mailer::from_settings(&s).unwrap().is_some());
            Ok(())
        });
    }

    #[test]
    fn smtp_settings_are_checked_at_start() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "smtp_host = \"smtp.example.com\"\nmail_from = \"not an address\"\n")?;
            assert!(Settings::load().unwrap_err().contains("mail_from"));
            jail.create_file("Leptos.toml", "smtp_host = \"smtp.example.com\"\nmail_from = \"a@example.com\"\nsmtp_tls = \"ssl\"\n")?;
            assert!(Settings::load().unwrap_err().contains("smtp_tls"));
            jail.create_file("Leptos.toml", "")?;
            let s = Settings::load().map_err(figment::Error::from)?;
            assert!(super::super::mail::Mailer::from_settings(&s).unwrap().is_none(), "no SMTP host, no mail");
            Ok(())
        });
    }
}
