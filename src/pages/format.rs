//! Showing times. Times travel as Unix milliseconds. The server renders them in
//! UTC; once the whole page is hydrated they switch to the reader's time zone
//! ([`LocalOffset`], `apply_local_offset`), so server and browser render the
//! same text at first.
//! Both write dates in the page's language: the server with ICU4X's
//! `icu_datetime` (CLDR; the `time` crate does the arithmetic), the browser
//! with the platform's `Intl.DateTimeFormat` (see [`date_time`]).

use leptos::prelude::*;

use crate::i18n::Locale;

/// The reader's UTC offset in minutes (0 on the server and before hydration).
#[derive(Clone, Copy)]
pub struct LocalOffset(pub RwSignal<Option<i32>>);

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page's [`LocalOffset`], for [`apply_local_offset`].
    static PAGE_OFFSET: std::cell::Cell<Option<RwSignal<Option<i32>>>> = const { std::cell::Cell::new(None) };
}

/// Provides [`LocalOffset`], unknown (`None`) until `apply_local_offset`.
impl LocalOffset {
    /// The offset in minutes, tracked: `None` on the server and before
    /// hydration, and, rather than a panic, once the page's owner is gone (a
    /// page load cut off while the server still resolved its `Suspend`s).
    pub fn get(self) -> Option<i32> {
        self.0.try_get().flatten()
    }
}

/// The page's [`LocalOffset`]: the one [`provide_local_offset`] made, or,
/// where the page's context is gone (see [`LocalOffset::get`]), one that
/// stays `None`.
pub fn local_offset() -> LocalOffset {
    use_context::<LocalOffset>().unwrap_or_else(|| LocalOffset(RwSignal::new(None)))
}

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

/// `"14:05"`: the hour and minute of `ms` in the reader's zone (in the
/// browser, as `locale` writes a clock: `"2:05 PM"` in English).
pub fn clock(ms: i64, offset_minutes: Option<i32>, locale: Locale) -> String {
    imp::clock(ms, offset_minutes, locale)
}

/// `"Nov 28, 2026, 2:05 PM"`, `"28 de nov. de 2026, 14:05"`: the date and
/// time of `ms` in `locale`'s words (CLDR's medium date with hours and
/// minutes), with `" UTC"` until the reader's zone is known.
pub fn date_time(ms: i64, offset_minutes: Option<i32>, locale: Locale) -> String {
    imp::date_time(ms, offset_minutes, locale)
}

/// How long ago `ms` was at `now_ms`, in `locale`'s words ("5 minutes
/// ago", "há 5 minutos", "now", "agora"): the browser's
/// `Intl.RelativeTimeFormat` (CLDR), in whole minutes, hours or days.
/// `None` on the server, which writes the date instead ([`date_time`]).
pub fn ago(ms: i64, now_ms: i64, locale: Locale) -> Option<String> {
    imp::ago(ms, now_ms, locale)
}

/// For [plain pages](super::is_plain_page), which load no WebAssembly: a
/// few lines of JavaScript that write every `<time datetime>` in the
/// reader's zone and the page's language (`<html lang>`), with the same
/// `Intl.DateTimeFormat` fields as [`date_time`] in the browser. Without
/// JavaScript the server's UTC text stays.
pub const LOCAL_TIMES_SCRIPT: &str = "(function(){function l(){\
var f=new Intl.DateTimeFormat([document.documentElement.lang||'en'],{day:'numeric',month:'short',year:'numeric',hour:'2-digit',minute:'2-digit'});\
document.querySelectorAll('time[datetime]').forEach(function(t){var d=new Date(t.getAttribute('datetime'));if(!isNaN(d))t.textContent=f.format(d)})}\
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',l);else l()})()";

/// RFC 3339 in UTC, for `<time datetime=…>`.
pub fn iso(ms: i64) -> String {
    imp::iso(ms)
}

/// On the server (and in tests): the `time` crate, in UTC or at the offset.
#[cfg(feature = "ssr")]
mod imp {
    use icu_datetime::{
        fieldsets,
        input::{Date, DateTime, Time},
        DateTimeFormatter,
    };
    use leptos_i18n::Locale as _;
    use time::{macros::format_description, OffsetDateTime, UtcOffset};

    use super::Locale;

    fn at(ms: i64, offset_minutes: Option<i32>) -> OffsetDateTime {
        let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let offset = UtcOffset::from_whole_seconds(offset_minutes.unwrap_or(0) * 60).unwrap_or(UtcOffset::UTC);
        utc.to_offset(offset)
    }

    pub fn clock(ms: i64, offset_minutes: Option<i32>, _locale: Locale) -> String {
        at(ms, offset_minutes)
            .format(format_description!("[hour]:[minute]"))
            .unwrap_or_default()
    }

    thread_local! {
        /// One formatter per language (not `Sync`), made on first use.
        static FORMATTERS: std::cell::RefCell<Vec<(Locale, Option<DateTimeFormatter<fieldsets::YMDT>>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }

    pub fn date_time(ms: i64, offset_minutes: Option<i32>, locale: Locale) -> String {
        let at = at(ms, offset_minutes);
        let date = Date::try_new_iso(at.year(), u8::from(at.month()), at.day());
        let time = Time::try_new(at.hour(), at.minute(), 0, 0);
        let text = FORMATTERS.with_borrow_mut(|made| {
            let at_index = match made.iter().position(|(l, _)| *l == locale) {
                Some(i) => i,
                None => {
                    let options = fieldsets::YMD::medium().with_time_hm();
                    made.push((locale, DateTimeFormatter::try_new(locale.as_icu_locale().clone().into(), options).ok()));
                    made.len() - 1
                }
            };
            match (&made[at_index].1, date, time) {
                (Some(formatter), Ok(date), Ok(time)) => Some(formatter.format(&DateTime { date, time }).to_string()),
                _ => None,
            }
        });
        // Without CLDR data for the language: ISO 8601's own way.
        let text = text.unwrap_or_else(|| at.format(format_description!("[year]-[month]-[day] [hour]:[minute]")).unwrap_or_default());
        if offset_minutes.is_some() {
            text
        } else {
            format!("{text} UTC")
        }
    }

    pub fn ago(_ms: i64, _now_ms: i64, _locale: Locale) -> Option<String> {
        None
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

    use leptos_i18n::Locale as _;
    use wasm_bindgen::JsValue;

    use super::Locale;

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
        static FORMATTERS: RefCell<Vec<((Fields, bool, Locale), js_sys::Intl::DateTimeFormat)>> = const { RefCell::new(Vec::new()) };
    }

    /// `ms` formatted with the `Intl.DateTimeFormat` options of `fields`,
    /// in `locale`'s words, in the reader's zone when `local`, else in UTC.
    fn format(ms: i64, fields: Fields, local: bool, locale: Locale) -> String {
        let formatter = FORMATTERS.with_borrow_mut(|made| {
            if let Some((_, formatter)) = made.iter().find(|(key, _)| *key == (fields, local, locale)) {
                return formatter.clone();
            }
            let options = js_sys::Object::new();
            for (key, value) in fields.options().iter().copied().chain((!local).then_some(("timeZone", "UTC"))) {
                let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
            }
            let tags = js_sys::Array::of1(&JsValue::from_str(locale.as_str()));
            let formatter = js_sys::Intl::DateTimeFormat::new(&tags, &options);
            made.push(((fields, local, locale), formatter.clone()));
            formatter
        });
        let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
        formatter.format().call1(&formatter, &date).ok().and_then(|text| text.as_string()).unwrap_or_default()
    }

    pub fn clock(ms: i64, offset_minutes: Option<i32>, locale: Locale) -> String {
        format(ms, Fields::Clock, offset_minutes.is_some(), locale)
    }

    pub fn date_time(ms: i64, offset_minutes: Option<i32>, locale: Locale) -> String {
        let text = format(ms, Fields::DateTime, offset_minutes.is_some(), locale);
        if offset_minutes.is_some() {
            text
        } else {
            format!("{text} UTC")
        }
    }

    pub fn iso(ms: i64) -> String {
        String::from(js_sys::Date::new(&JsValue::from_f64(ms as f64)).to_iso_string())
    }

    thread_local! {
        /// One `Intl.RelativeTimeFormat` per language used so far.
        static RELATIVE: RefCell<Vec<(Locale, js_sys::Intl::RelativeTimeFormat)>> = const { RefCell::new(Vec::new()) };
    }

    pub fn ago(ms: i64, now_ms: i64, locale: Locale) -> Option<String> {
        let seconds = (now_ms - ms).max(0) / 1000;
        let (value, unit) = match seconds {
            s if s < 60 => (0, "second"),
            s if s < 3_600 => (s / 60, "minute"),
            s if s < 86_400 => (s / 3_600, "hour"),
            s => (s / 86_400, "day"),
        };
        let formatter = RELATIVE.with_borrow_mut(|made| {
            if let Some((_, formatter)) = made.iter().find(|(l, _)| *l == locale) {
                return formatter.clone();
            }
            let options = js_sys::Object::new();
            // "now", "yesterday" rather than "in 0 seconds", "1 day ago".
            let _ = js_sys::Reflect::set(&options, &JsValue::from_str("numeric"), &JsValue::from_str("auto"));
            let tags = js_sys::Array::of1(&JsValue::from_str(locale.as_str()));
            let formatter = js_sys::Intl::RelativeTimeFormat::new(&tags, &options);
            made.push((locale, formatter.clone()));
            formatter
        });
        Some(String::from(formatter.format(-(value as f64), unit)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_pages_are_the_entry_pages_only() {
        for path in ["/login", "/signup", "/signup/", "/join/abc-DEF_123", "/recover", "/recovery-codes"] {
            assert!(super::super::is_plain_page(path), "{path}");
        }
        for path in ["/", "/join/", "/join/a/b", "/rooms/1", "/instant-chat/abc", "/dashboard", "/loginx"] {
            assert!(!super::super::is_plain_page(path), "{path}");
        }
    }

    #[test]
    fn formats() {
        let ms = 1_795_860_300_000; // 2026-11-28T10:05:00Z
        let (english, portuguese) = (Locale::en, Locale::pt_BR);
        assert_eq!(clock(ms, None, english), "10:05");
        assert_eq!(clock(ms, Some(-180), english), "07:05");
        assert_eq!(date_time(ms, None, english), "Nov 28, 2026, 10:05\u{202f}AM UTC");
        assert_eq!(date_time(ms, Some(60), english), "Nov 28, 2026, 11:05\u{202f}AM");
        assert_eq!(date_time(ms, None, portuguese), "28 de nov. de 2026, 10:05 UTC");
        assert_eq!(iso(ms), "2026-11-28T10:05:00Z");
    }
}
