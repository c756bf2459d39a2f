//! Rate limits, with the `governor` crate's keyed GCRA limiters.
//!
//! Starting instant chats is limited per client address: a burst of
//! [`INSTANT_CHAT_STARTS_BURST`], then one per
//! [`INSTANT_CHAT_STARTS_EVERY_SECS`] seconds; joining rooms through invites
//! likewise ([`JOINS_BURST`], then one per [`JOINS_EVERY_SECS`]), and logging
//! in ([`LOGINS_BURST`], then one per [`LOGINS_EVERY_SECS`]; each username's
//! attempts are also counted in the database, see `accounts::log_in`).
//! Making invite links is limited per user ([`INVITE_CREATES_BURST`], then
//! one per [`INVITE_CREATES_EVERY_SECS`]). Uploading attachments is
//! limited per user account or instant chat guest ([`Uploader`]):
//! [`UPLOADS_BURST`], then one per [`UPLOADS_EVERY_SECS`]. Past the limit the answer is
//! 429 with `Retry-After` (RFC 9110 §10.2.3) and [`crate::error::AppError::TooManyRequests`]
//! as the server function's error, or a short page for plain form posts
//! (the server's middleware, [`crate::server::rate_limit`], for the limits
//! per address).
//!
//! Signing up is limited per address too (the `sign_ups_per_address_per_hour`
//! setting, [`crate::limits::SIGN_UPS_PER_ADDRESS_PER_HOUR`] by default).
//!
//! The address is the client's as [`super::client_address`] finds it: the
//! TCP peer's, or behind a reverse proxy named in `trusted_proxies` the one
//! it forwards; IPv6 counted per /64.

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use axum::http::HeaderMap;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::{client_address, Settings};
use crate::limits::{
    INSTANT_CHAT_STARTS_BURST, INSTANT_CHAT_STARTS_EVERY_SECS, INVITE_CREATES_BURST, INVITE_CREATES_EVERY_SECS,
    JOINS_BURST, JOINS_EVERY_SECS, LOGINS_BURST, LOGINS_EVERY_SECS, UPLOADS_BURST, UPLOADS_EVERY_SECS,
};

/// Who uploads an attachment, for the upload limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Uploader {
    /// A user account, by id.
    User(i64),
    /// An instant chat guest, by participant id.
    Guest(i64),
}

/// The app's rate limiters. Share as `Arc`.
pub struct RateLimits {
    instant_starts: DefaultKeyedRateLimiter<IpAddr>,
    uploads: DefaultKeyedRateLimiter<Uploader>,
    joins: DefaultKeyedRateLimiter<IpAddr>,
    log_ins: DefaultKeyedRateLimiter<IpAddr>,
    /// `None`: sign-ups are not limited (the setting is 0).
    sign_ups: Option<DefaultKeyedRateLimiter<IpAddr>>,
    invite_creates: DefaultKeyedRateLimiter<i64>,
    /// The `trusted_proxies` setting, parsed.
    trusted_proxies: Vec<ipnet::IpNet>,
}

/// A burst of `burst`, then one more every `every_secs` seconds.
fn quota(burst: u32, every_secs: u64) -> Quota {
    Quota::with_period(Duration::from_secs(every_secs))
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    /// The limits for a server with `settings` (whose `trusted_proxies`
    /// were checked when they were loaded; an entry that does not parse is
    /// left out).
    pub fn new(settings: &Settings) -> Self {
        let per_hour = settings.sign_ups_per_address_per_hour;
        RateLimits {
            sign_ups: (per_hour > 0).then(|| RateLimiter::keyed(quota(per_hour, (3600 / u64::from(per_hour)).max(1)))),
            trusted_proxies: client_address::parse_trusted(&settings.trusted_proxies).unwrap_or_default(),
            instant_starts: RateLimiter::keyed(quota(INSTANT_CHAT_STARTS_BURST, INSTANT_CHAT_STARTS_EVERY_SECS)),
            uploads: RateLimiter::keyed(quota(UPLOADS_BURST, UPLOADS_EVERY_SECS)),
            joins: RateLimiter::keyed(quota(JOINS_BURST, JOINS_EVERY_SECS)),
            log_ins: RateLimiter::keyed(quota(LOGINS_BURST, LOGINS_EVERY_SECS)),
            invite_creates: RateLimiter::keyed(quota(INVITE_CREATES_BURST, INVITE_CREATES_EVERY_SECS)),
        }
    }
}

/// Whole seconds until `not_until`, rounded up.
fn seconds_to_wait(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

impl RateLimits {
    /// `Ok` when `who` may upload an attachment now (and counts it); else
    /// the seconds to wait.
    pub fn upload(&self, who: Uploader) -> Result<(), u64> {
        self.uploads.check_key(&who).map_err(seconds_to_wait)
    }

    /// `Ok` when user `user_id` may make an invite link now (and counts
    /// it); else the seconds to wait.
    pub fn create_invite(&self, user_id: i64) -> Result<(), u64> {
        self.invite_creates.check_key(&user_id).map_err(seconds_to_wait)
    }

    /// `Ok` when the client at `address` may make one more `attempt` now
    /// (and counts it); else the seconds to wait. Sign-ups pass when their
    /// limit is off.
    pub fn check_address(&self, attempt: AddressLimit, address: IpAddr) -> Result<(), u64> {
        let limiter = match attempt {
            AddressLimit::Joins => &self.joins,
            AddressLimit::InstantChatStarts => &self.instant_starts,
            AddressLimit::LogIns => &self.log_ins,
            AddressLimit::SignUps => match &self.sign_ups {
                Some(limiter) => limiter,
                None => return Ok(()),
            },
        };
        limiter.check_key(&address).map_err(seconds_to_wait)
    }

    /// The address a request is counted under: the TCP `peer`'s, or the one
    /// a trusted proxy forwards in `headers`
    /// ([`client_address::client_key`]).
    pub fn client_key(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        client_address::client_key(peer, headers, &self.trusted_proxies)
    }

    /// Drops the state of keys that are back at full allowance.
    pub fn forget_idle(&self) {
        self.instant_starts.retain_recent();
        self.uploads.retain_recent();
        self.joins.retain_recent();
        self.log_ins.retain_recent();
        if let Some(sign_ups) = &self.sign_ups {
            sign_ups.retain_recent();
        }
        self.invite_creates.retain_recent();
    }
}

/// What a client address is limited in, per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressLimit {
    /// Accepting invite links ([`crate::limits::JOINS_BURST`]).
    Joins,
    /// Starting instant chats ([`crate::limits::INSTANT_CHAT_STARTS_BURST`]).
    InstantChatStarts,
    /// Logging in ([`crate::limits::LOGINS_BURST`]).
    LogIns,
    /// Signing up (the `sign_ups_per_address_per_hour` setting).
    SignUps,
}
