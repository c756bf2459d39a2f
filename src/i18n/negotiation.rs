//! Which language a request is answered in (server only): the
//! [`LANGUAGE_COOKIE`](super::LANGUAGE_COOKIE) choice, else the best match
//! of `Accept-Language` among Roomlink's languages (leptos_i18n's
//! matching, RFC 4647 lookup), else English.

use axum::http::{header, request::Parts, HeaderMap};
use leptos_i18n::Locale as _;

use super::{locale_from_tag, Locale, LANGUAGE_COOKIE};

/// The explicit choice saved in the request's cookie, if it names one of
/// Roomlink's languages.
pub fn chosen(headers: &HeaderMap) -> Option<Locale> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANGUAGE_COOKIE)
        .and_then(|(_, value)| locale_from_tag(value))
}

/// The languages `headers` ask for, best first: the cookie's choice alone
/// when there is one; else `Accept-Language`'s tags in its order (as
/// browsers write it, by descending q-value), followed by each of
/// Roomlink's languages that shares a tag's primary language (`pt-PT` and
/// a bare `pt` also ask for `pt-BR`), so that a Portuguese speaker from
/// anywhere reads Portuguese rather than English (the lookup fallback of
/// RFC 4647 §3.4, which leptos_i18n's matching does not do: it never
/// matches `pt` to `pt-BR`).
pub fn accepted_languages(headers: &HeaderMap) -> Vec<String> {
    if let Some(locale) = chosen(headers) {
        return vec![locale.as_str().to_string()];
    }
    let tags: Vec<String> = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(',').map(|item| item.split(';').next().unwrap_or("").trim().to_string()).collect())
        .unwrap_or_default();
    let primary = |tag: &str| tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let related = tags.iter().flat_map(|tag| {
        let language = primary(tag);
        Locale::get_all().iter().filter(move |ours| primary(ours.as_str()) == language).map(|ours| ours.as_str().to_string())
    });
    let mut all: Vec<String> = tags.iter().filter(|tag| !tag.is_empty()).cloned().collect();
    all.extend(related.collect::<Vec<_>>());
    all
}

/// The language to answer `headers` in: the cookie's choice, else the best
/// match of [`accepted_languages`], else English.
pub fn request_locale(headers: &HeaderMap) -> Locale {
    Locale::find_locale(&accepted_languages(headers))
}

/// What leptos_i18n's provider is told the browser accepts while the page
/// renders (its `ssr_lang_header_getter`, read as an `Accept-Language`
/// value): [`accepted_languages`], so the page is rendered in
/// [`request_locale`]'s language. Reads the request from the reactive
/// context (leptos_axum provides it).
pub fn accept_language_for_render() -> Option<String> {
    let parts = leptos::prelude::use_context::<Parts>()?;
    Some(accepted_languages(&parts.headers).join(","))
}

/// The `Set-Cookie` value that saves `locale` as the browser's choice for
/// a year (`SameSite=Lax`: it only picks the language).
pub fn choice_cookie(locale: Locale, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", locale.as_str())
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_english() {
        let both = headers(&[(header::COOKIE, "a=1; roomlink_lang=en"), (header::ACCEPT_LANGUAGE, "pt-BR,pt;q=0.9")]);
        assert_eq!(request_locale(&both), Locale::en);
        assert_eq!(request_locale(&headers(&[(header::ACCEPT_LANGUAGE, "pt-BR,pt;q=0.9,en;q=0.8")])), Locale::pt_BR);
        // Portuguese from Portugal, or no region, still reads Brazilian Portuguese before English.
        assert_eq!(request_locale(&headers(&[(header::ACCEPT_LANGUAGE, "pt-PT")])), Locale::pt_BR);
        assert_eq!(request_locale(&headers(&[(header::ACCEPT_LANGUAGE, "pt")])), Locale::pt_BR);
        // The order still decides: English first, then Portuguese.
        assert_eq!(request_locale(&headers(&[(header::ACCEPT_LANGUAGE, "en-GB,pt-BR;q=0.8")])), Locale::en);
        assert_eq!(request_locale(&headers(&[(header::ACCEPT_LANGUAGE, "de-DE,fr")])), Locale::en);
        assert_eq!(request_locale(&HeaderMap::new()), Locale::en);
        // A cookie naming no language of ours is ignored.
        let odd = headers(&[(header::COOKIE, "roomlink_lang=xx"), (header::ACCEPT_LANGUAGE, "pt-BR")]);
        assert_eq!(request_locale(&odd), Locale::pt_BR);
    }
}
