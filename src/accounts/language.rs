//! The header's language switcher: an explicit choice of language, which
//! wins over the browser's `Accept-Language` ([`crate::i18n`]).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::i18n::I18nLocaleTrait as _;

/// Saves `language` (a locale tag, e.g. `pt-BR`) as this browser's choice
/// (the [`crate::i18n::LANGUAGE_COOKIE`] cookie, for a year) and, for a
/// logged-in person, in their profile, so it follows them to their other
/// devices at log-in; then goes back to `back` (a local path; `/` when
/// absent or not local), rendered in the new language. The switcher is a
/// plain form, so this works the same without JavaScript.
///
/// Errors: [`AppError::UnknownLanguage`] for a language Roomlink does not have.
#[server(endpoint = "set_language")]
pub async fn set_language(language: String, back: Option<String>) -> Result<(), AppError> {
    use super::ssr::{current_user, local_path_or_home, set_language_cookie};
    let locale = crate::i18n::locale_from_tag(&language).ok_or(AppError::UnknownLanguage)?;
    let state = crate::context::state()?;
    set_language_cookie(&state, locale);
    if let Some(me) = current_user().await? {
        state.store.users().set_language(me.id, locale.as_str()).await?;
    }
    leptos_axum::redirect(&local_path_or_home(back.as_deref()));
    Ok(())
}
