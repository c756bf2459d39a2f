//! The wall clock, read the same way by every layer of the server.

/// Now, in Unix milliseconds (UTC). Stored times (`created_at`, `expires_at`,
/// `last_seen`) are all in this unit.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}
