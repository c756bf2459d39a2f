//! The languages Roomlink speaks (English and Brazilian Portuguese), and
//! which one each person reads.
//!
//! The words live in `locales/<language>.json`, one file per language with
//! the same keys; leptos_i18n's build crate turns them into this module's
//! [`Locale`] enum, its keys and the `t!` family of macros (`build.rs`).
//! Adding a language is adding its file and one line in `build.rs`.
//!
//! Who reads which ([`negotiation`], on the server): an explicit choice (the
//! header's switcher, saved in the [`LANGUAGE_COOKIE`] cookie and, for
//! logged-in people, in their profile, which sets the cookie again at each
//! log-in) wins over the browser's `Accept-Language`, which wins over
//! English. The server renders the page in that language and writes it in
//! `<html lang>`; the browser's code reads it back from there
//! (leptos_i18n's hydration), so hydration never switches language.
//!
//! Plural forms ([`plural`]) follow each language's CLDR rules: the
//! platform's `Intl.PluralRules` in the browser and ICU4X's `icu_plurals`
//! on the server. (leptos_i18n's own `plurals` feature would carry the
//! CLDR rules of every language in the WebAssembly: about 40 KB more,
//! brotli, measured on this app.) A plural key has one subkey per category,
//! `one` and `other`, and is read with [`plural_string!`].

mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

pub use generated::i18n::*;

#[cfg(feature = "ssr")]
pub mod negotiation;

/// The cookie that keeps an explicit choice of language: its value is a
/// locale tag ([`Locale::as_str`], e.g. `pt-BR`). Set by the header's
/// switcher and at log-in from the profile; read by [`negotiation`].
pub const LANGUAGE_COOKIE: &str = "roomlink_lang";

/// A CLDR plural category, as far as Roomlink's languages need them
/// (English and Portuguese have `one` and `other`; a language with more
/// adds its categories here and in every plural key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    /// CLDR `one`: 1 in English; 0 and 1 in Portuguese.
    One,
    /// CLDR `other`: everything else.
    Other,
}

/// The plural category of the whole number `n` in `locale`, by CLDR's
/// rules (source: Unicode CLDR, "Language Plural Rules").
pub fn plural(locale: Locale, n: u64) -> Plural {
    imp::plural(locale, n)
}

/// The language this page is rendered in. Changing language loads the
/// page again (the switcher is a form), so pages read it once, untracked,
/// and word themselves with `td!`/`td_string!`: no reactive closure per
/// string. Reads the provider of [`crate::pages::App`] (any component has
/// it); English without it, which happens only on the server for a page
/// whose load was cut off and whose owner is gone while a `Suspend` still
/// resolves (nobody reads that output; `use_i18n` would panic there).
pub fn use_locale() -> Locale {
    leptos::prelude::use_context::<leptos_i18n::I18nContext<Locale>>()
        .map(|i18n| i18n.get_locale_untracked())
        .unwrap_or_default()
}

/// The locale with the tag `tag` (`"en"`, `"pt-BR"`), if Roomlink has it.
pub fn locale_from_tag(tag: &str) -> Option<Locale> {
    use std::str::FromStr;
    Locale::from_str(tag.trim()).ok()
}

/// `td_string!` for a plural key: picks the key's `one` or `other` subkey
/// by [`plural`] of `count`, which is also passed on as `{{ count }}`.
/// Further parameters follow as in `td_string!`.
///
/// ```ignore
/// plural_string!(locale, common.members, count = 3) // "3 members", "3 membros"
/// ```
#[macro_export]
macro_rules! plural_string {
    ($locale:expr, $($key:ident).+, count = $count:expr $(, $name:ident = $value:expr)* $(,)?) => {{
        let locale = $locale;
        let count = $count;
        match $crate::i18n::plural(locale, count as u64) {
            $crate::i18n::Plural::One => {
                $crate::i18n::td_string!(locale, $($key).+.one, count = count $(, $name = $value)*).to_string()
            }
            $crate::i18n::Plural::Other => {
                $crate::i18n::td_string!(locale, $($key).+.other, count = count $(, $name = $value)*).to_string()
            }
        }
    }};
}
pub use plural_string;

/// On the server: ICU4X's CLDR data (a server-only dependency).
#[cfg(feature = "ssr")]
mod imp {
    use icu_plurals::{PluralCategory, PluralRules};
    use leptos_i18n::Locale as _;

    use super::{Locale, Plural};

    thread_local! {
        /// Each language's cardinal rules, made once per thread (they
        /// are not `Sync`).
        static RULES: Vec<(Locale, Option<PluralRules>)> = Locale::get_all()
            .iter()
            .map(|&locale| (locale, PluralRules::try_new_cardinal(locale.as_icu_locale().into()).ok()))
            .collect();
    }

    pub fn plural(locale: Locale, n: u64) -> Plural {
        let category = RULES.with(|rules| {
            rules.iter().find(|(l, _)| *l == locale).and_then(|(_, rules)| rules.as_ref()).map(|rules| rules.category_for(n))
        });
        match category {
            Some(PluralCategory::One) => Plural::One,
            Some(_) => Plural::Other,
            // No data for the language: English's rule.
            None if n == 1 => Plural::One,
            None => Plural::Other,
        }
    }
}

/// In the browser: the platform's `Intl.PluralRules`, which carries CLDR's
/// rules for every language at no cost to the WebAssembly.
#[cfg(not(feature = "ssr"))]
mod imp {
    use std::cell::RefCell;

    use leptos_i18n::Locale as _;

    use super::{Locale, Plural};

    thread_local! {
        /// One `Intl.PluralRules` per language used so far (making one
        /// loads locale data).
        static RULES: RefCell<Vec<(Locale, js_sys::Intl::PluralRules)>> = const { RefCell::new(Vec::new()) };
    }

    pub fn plural(locale: Locale, n: u64) -> Plural {
        let category = RULES.with_borrow_mut(|made| {
            if let Some((_, rules)) = made.iter().find(|(l, _)| *l == locale) {
                return rules.select(n as f64);
            }
            let tags = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(locale.as_str()));
            let rules = js_sys::Intl::PluralRules::new(&tags, &js_sys::Object::new());
            let category = rules.select(n as f64);
            made.push((locale, rules));
            category
        });
        if category == "one" { Plural::One } else { Plural::Other }
    }
}
