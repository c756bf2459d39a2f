//! Showing times. Times travel as Unix milliseconds. The server renders them in
//! UTC; once the page is hydrated they switch to the reader's time zone
//! ([`LocalOffset`]), so server and browser render the same text at first.

use leptos::prelude::*;
use time::{macros::format_description, OffsetDateTime, UtcOffset};

/// The reader's UTC offset in minutes (0 on the server and before hydration).
#[derive(Clone, Copy)]
pub struct LocalOffset(pub RwSignal<Option<i32>>);

/// Provides [`LocalOffset`]; in the browser, fills it in after hydration.
pub fn provide_local_offset() {
    let offset = RwSignal::new(None);
    provide_context(LocalOffset(offset));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        // getTimezoneOffset is minutes *behind* UTC.
        let behind = js_sys::Date::new_0().get_timezone_offset() as i32;
        offset.set(Some(-behind));
    });
}

fn at(ms: i64, offset_minutes: Option<i32>) -> OffsetDateTime {
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let offset = UtcOffset::from_whole_seconds(offset_minutes.unwrap_or(0) * 60).unwrap_or(UtcOffset::UTC);
    utc.to_offset(offset)
}

/// `"14:05"`: the hour and minute of `ms` in the reader's zone.
pub fn clock(ms: i64, offset_minutes: Option<i32>) -> String {
    at(ms, offset_minutes)
        .format(format_description!("[hour]:[minute]"))
        .unwrap_or_default()
}

/// `"28 Nov 2026, 14:05"`, with `" UTC"` until the reader's zone is known.
pub fn date_time(ms: i64, offset_minutes: Option<i32>) -> String {
    let text = at(ms, offset_minutes)
        .format(format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute]"))
        .unwrap_or_default();
    if offset_minutes.is_some() {
        text
    } else {
        format!("{text} UTC")
    }
}

/// RFC 3339 in UTC, for `<time datetime=…>`.
pub fn iso(ms: i64) -> String {
    at(ms, None)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let ms = 1_795_860_300_000; // 2026-11-28T10:05:00Z
        assert_eq!(clock(ms, None), "10:05");
        assert_eq!(clock(ms, Some(-180)), "07:05");
        assert_eq!(date_time(ms, None), "28 Nov 2026, 10:05 UTC");
        assert_eq!(date_time(ms, Some(60)), "28 Nov 2026, 11:05");
        assert_eq!(iso(ms), "2026-11-28T10:05:00Z");
    }
}
