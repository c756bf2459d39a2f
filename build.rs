//! Build steps outside the compiler's sight:
//!
//! - Rebuilds when a migration is added or changed: `sqlx::migrate!` embeds
//!   `migrations/` at compile time, and cargo does not watch that folder by
//!   itself (the build script `sqlx migrate build-script` writes).
//! - Generates the `i18n` module (the `Locale` enum, the translation keys
//!   and the `t!` macros) from `locales/<language>.json` with leptos_i18n's
//!   build crate, into `$OUT_DIR/i18n`; `src/i18n.rs` includes it. Adding a
//!   language is adding its file and one `add_locale` line here.

use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=build.rs");

    // `interpolate_display`: `t_string!`/`td_string!` take parameters too
    // (attribute values, page titles, the server's refusals).
    let config = Config::new("en")?
        .add_locale("pt-BR")?
        .parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.rerun_if_locales_changed();
    // A malformed file fails the build; a key missing in one language is a
    // warning here, and a failure in `tests/translations.rs`.
    translations.emit_diagnostics();
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("i18n");
    translations.generate_i18n_module(out)?;
    Ok(())
}
