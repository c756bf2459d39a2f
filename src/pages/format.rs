//! Showing times. Times travel as Unix milliseconds. The server renders them in
//! UTC; once the whole page is hydrated they switch to the reader's time zone
//! ([`LocalOffset`], `apply_local_offset`), so server and browser render the
//! same text at first.
//! The server formats with the `time` crate; the browser with the platform's
//! `Intl.DateTimeFormat` (see [`date_time`]).

use leptos::prelude::*;

/// The reader's UTC offset in minutes (0 on the server and before hydration).
#[derive(Clone, Copy)]
pub struct LocalOffset(pub RwSignal<Option<i32>>);

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page's [`LocalOffset`], for [`apply_local_offset`].
    static PAGE_OFFSET: std::cell::Cell<Option<RwSignal<Option<i32>>>> = const { std::cell::Cell::new(None) };
}

/// Provides [`LocalOffset`], unknown (`None`) until `apply_local_offset`.
pub fn provide_local_offset() {
    let offset = RwSignal::new(None);
    provide_context(LocalOffset(offset));
    #[cfg(feature = "hydrate")]
    PAGE_OFFSET.with(|page| page.set(Some(offset)));
}

/// In the browser, once the whole page is hydrated (its lazily loaded
/// route included): switches every time to the reader's zone.
///
/// Not earlier: hydration takes over the server's attributes without
/// writing them, so a route whose code came after the switch (a phone's
/// slow network) hydrated with the zone already known and kept the
/// server's UTC `title`s for good (seen in CI as a room's times left in UTC).
#[cfg(feature = "hydrate")]
pub fn apply_local_offset() {
    // getTimezoneOffset is minutes *behind* UTC.
    let behind = js_sys::Date::new_0().get_timezone_offset() as i32;
    if let Some(offset) = PAGE_OFFSET.with(std::cell::Cell::get) {
        offset.set(Some(-behind));
    }
}

/// `"14:05"`: the hour and minute of `ms` in the reader's zone.
pub fn clock(ms: i64, offset_minutes: Option<i32>) -> String {
    imp::clock(ms, offset_minutes)
}

/// `"28 Nov 2026, 14:05"`, with `" UTC"` until the reader's zone is known.
/// In the browser, once the zone is known, the reader's own way of writing
/// dates (`Intl.DateTimeFormat` with the browser's locale, e.g.
/// `"28 de nov. de 2026, 14:05"` in pt-BR).
pub fn date_time(ms: i64, offset_minutes: Option<i32>) -> String {
    imp::date_time(ms, offset_minutes)
}

/// For [plain pages](super::is_plain_page), which load no WebAssembly: a
/// few lines of JavaScript that write every `<time datetime>` in the
/// reader's zone and way of writing dates, with the same
/// `Intl.DateTimeFormat` fields as [`date_time`] in the browser. Without
/// JavaScript the server's UTC text stays.
pub const LOCAL_TIMES_SCRIPT: &str = "(function(){function l(){\
var f=new Intl.DateTimeFormat([],{day:'numeric',month:'short',year:'numeric',hour:'2-digit',minute:'2-digit'});\
document.querySelectorAll('time[datetime]').forEach(function(t){var d=new Date(t.getAttribute('datetime'));if(!isNaN(d))t.textContent=f.format(d)})}\
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',l);else l()})()";

/// RFC 3339 in UTC, for `<time datetime=…>`.
pub fn iso(ms: i64) -> String {
    imp::iso(ms)
}

/// On the server (and in tests): the `time` crate, in UTC or at the offset.
#[cfg(feature = "ssr")]
mod imp {
    use time::{macros::format_description, OffsetDateTime, UtcOffset};

    fn at(ms: i64, offset_minutes: Option<i32>) -> OffsetDateTime {
        let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let offset = UtcOffset::from_whole_seconds(offset_minutes.unwrap_or(0) * 60).unwrap_or(UtcOffset::UTC);
        utc.to_offset(offset)
    }

    pub fn clock(ms: i64, offset_minutes: Option<i32>) -> String {
        at(ms, offset_minutes)
            .format(format_description!("[hour]:[minute]"))
            .unwrap_or_default()
    }

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

    pub fn iso(ms: i64) -> String {
        at(ms, None)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }
}

/// In the browser: the platform's `Intl.DateTimeFormat`, which knows the
/// reader's locale and time zone, instead of carrying the `time` crate's
/// formatting in the WebAssembly (`time` is a server-only dependency).
#[cfg(not(feature = "ssr"))]
mod imp {
    use std::cell::RefCell;

    use wasm_bindgen::JsValue;

    /// What a formatter writes: a clock (`"14:05"`) or a date with its time.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Fields {
        Clock,
        DateTime,
    }

    impl Fields {
        fn options(self) -> &'static [(&'static str, &'static str)] {
            match self {
                Fields::Clock => &[("hour", "2-digit"), ("minute", "2-digit")],
                Fields::DateTime => &[("day", "numeric"), ("month", "short"), ("year", "numeric"), ("hour", "2-digit"), ("minute", "2-digit")],
            }
        }
    }

    thread_local! {
        /// The formatters made so far, by fields and zone (local or UTC).
        /// Made once each: constructing an `Intl.DateTimeFormat` costs the
        /// platform about a millisecond (it loads locale data), which a
        /// room's timeline would otherwise pay for every line it hydrates
        /// (81 ms of a phone's main thread for 30 lines, measured with
        /// `FIRST_VISIT_PROFILE=cpu bash scripts/first-visit.sh`).
        static FORMATTERS: RefCell<Vec<((Fields, bool), js_sys::Intl::DateTimeFormat)>> = const { RefCell::new(Vec::new()) };
    }

    /// `ms` formatted with the `Intl.DateTimeFormat` options of `fields`,
    /// in the reader's zone when `local`, else in UTC.
    fn format(ms: i64, fields: Fields, local: bool) -> String {
        let formatter = FORMATTERS.with_borrow_mut(|made| {
            if let Some((_, formatter)) = made.iter().find(|(key, _)| *key == (fields, local)) {
                return formatter.clone();
            }
            let options = js_sys::Object::new();
            for (key, value) in fields.options().iter().copied().chain((!local).then_some(("timeZone", "UTC"))) {
                let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
            }
            let formatter = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options);
            made.push(((fields, local), formatter.clone()));
            formatter
        });
        let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
        formatter.format().call1(&formatter, &date).ok().and_then(|text| text.as_string()).unwrap_or_default()
    }

    pub fn clock(ms: i64, offset_minutes: Option<i32>) -> String {
        format(ms, Fields::Clock, offset_minutes.is_some())
    }

    pub fn date_time(ms: i64, offset_minutes: Option<i32>) -> String {
        let text = format(ms, Fields::DateTime, offset_minutes.is_some());
        if offset_minutes.is_some() {
            text
        } else {
            format!("{text} UTC")
        }
    }

    pub fn iso(ms: i64) -> String {
        String::from(js_sys::Date::new(&JsValue::from_f64(ms as f64)).to_iso_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_pages_are_the_entry_pages_only() {
        for path in ["/login", "/signup", "/signup/", "/join/abc-DEF_123"] {
            assert!(super::super::is_plain_page(path), "{path}");
        }
        for path in ["/", "/join/", "/join/a/b", "/rooms/1", "/instant-chat/abc", "/dashboard", "/loginx"] {
            assert!(!super::super::is_plain_page(path), "{path}");
        }
    }

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
