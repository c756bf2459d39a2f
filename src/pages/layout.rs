//! The header on every page: the Roomlink name, who is logged in and the
//! language switcher.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::components::A;

use super::Session;
use crate::{
    accounts::language::SetLanguage,
    i18n::{plural_string, td, td_string, use_locale, I18nLocaleTrait as _, Locale},
    invites::pending_invite_count,
    types::accounts::CurrentUser,
};

/// Top bar: home link, then the user's name and "Log out", or "Log in" / "Sign up".
#[component]
pub fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    let location = leptos_router::hooks::use_location();
    // Counted again on every page change, whenever links are made or
    // revoked, and after logging in (or in by recovery), signing up or out. The key reads only
    // plain signals, never `session.user`: a key that changes while the
    // server renders (that resource resolving) makes its memo recompute on
    // one thread while the resource's task reads it on another, and
    // reactive_graph reports the failed `try_read` of the busy lock as "Tried
    // to access a reactive value that has already been disposed" (a server
    // panic seen in CI). `try_get`: when a page load is cut off half way, the
    // server may dispose of these before the resource reads its key.
    let pending = Resource::new(
        move || {
            let account = (
                session.log_in.version().try_get(),
                session.sign_up.version().try_get(),
                session.log_out.version().try_get(),
                session.recover.version().try_get(),
                session.delete_account.version().try_get(),
                session.reset_password.version().try_get(),
            );
            (location.pathname.try_get(), session.links_changed.try_get(), account)
        },
        |_| pending_invite_count(),
    );
    // Always the same elements, only hidden at 0: what the server rendered
    // and what hydration finds must match even while the count reloads.
    let count = move || pending.try_get().flatten().and_then(Result::ok).unwrap_or(0);
    let locale = use_locale();
    let badge = move || {
        view! {
            <span class="badge" title=td_string!(locale, header.pending_title) hidden=move || count() == 0>
                <span aria-hidden="true">{count}</span>
                <span class="visually-hidden">{move || plural_string!(locale, header.pending, count = count())}</span>
            </span>
        }
    };
    // Who is logged in, without waiting, so the header is in the first
    // chunk of every page (a streamed part that waits would only appear
    // with JavaScript). The server knows it before rendering
    // ([`crate::accounts::ssr::account_at_render`]); the browser hydrates
    // with the same answer from `session.user`, which the server sent with
    // the page, and then follows it: it loads again after logging in or
    // out, keeping the old answer meanwhile.
    let account = move || -> Option<CurrentUser> {
        #[cfg(feature = "ssr")]
        {
            crate::accounts::ssr::account_at_render()
        }
        #[cfg(not(feature = "ssr"))]
        {
            session.user.try_get().flatten().and_then(Result::ok).flatten()
        }
    };
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"Roomlink"</A>
            <nav aria-label=td_string!(locale, header.account_nav)>
                {move || match account() {
                    Some(user) => {
                        let name = user.username;
                        view! {
                            <A href="/dashboard" attr:class="dashboard-link">{td_string!(locale, header.dashboard)} {badge}</A>
                            <A href="/profile">{td_string!(locale, header.profile)}</A>
                            <span class="whoami">{td!(locale, header.logged_in_as, name = name.clone(), <b> = <strong />)}</span>
                            <ActionForm action=session.log_out attr:class="inline">
                                <button type="submit" class="link">{td_string!(locale, header.log_out)}</button>
                            </ActionForm>
                        }.into_any()
                    }
                    None => view! {
                        <A href="/login">{td_string!(locale, header.log_in)}</A>
                        <A href="/signup" attr:class="button">{td_string!(locale, header.sign_up)}</A>
                    }.into_any(),
                }}
                <LanguageSwitcher />
            </nav>
        </header>
    }
}

/// The language switcher: a plain form (the same with and without
/// JavaScript) posting to [`crate::accounts::language::set_language`],
/// which saves the choice and sends the browser back to this page, rendered
/// in the new language. Each language is named in its own words. Choosing
/// does not submit by itself: the page changes only with the button (WCAG
/// 3.2.2, On Input; a keyboard's arrow keys change a select at once).
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let locale = use_locale();
    let location = leptos_router::hooks::use_location();
    let back = move || format!("{}{}", location.pathname.get(), location.search.get());
    let current = locale;
    const SET_LANGUAGE_PATH: &str = <SetLanguage as ServerFn>::PATH;
    let options = Locale::get_all()
        .iter()
        .map(|&locale| {
            view! {
                <option value=locale.as_str() lang=locale.as_str() selected=locale == current>
                    {crate::i18n::td_string!(locale, language_name)}
                </option>
            }
        })
        .collect_view();
    view! {
        <form class="language-switcher inline" method="post" action=SET_LANGUAGE_PATH>
            <input type="hidden" name="back" value=back />
            <label for="language-select" class="visually-hidden">{td_string!(locale, language_switcher.label)}</label>
            <select id="language-select" name="language">
                {options}
            </select>
            <button type="submit" class="link">{td_string!(locale, language_switcher.submit)}</button>
        </form>
    }
}

/// Sets the document title to `text` (user text allowed): a string, or a
/// closure for a title that changes (leptos_meta may call it after the page
/// that set it is gone, so it must not fail on disposed signals: read them
/// with `try_get`).
///
/// leptos_meta 0.8 writes `<Title>` text into the server-rendered `<title>`
/// without escaping it, so a room named `</title><script>…` could inject
/// markup. On the server this escapes the text (a `<title>` decodes character
/// references, so readers see the original); in the browser, where the title
/// is set through `document.title`, the text goes through as it is.
#[component]
pub fn PageTitle(#[prop(into)] text: TextProp) -> impl IntoView {
    let formatter = |text: String| -> String {
        if cfg!(feature = "ssr") {
            html_escape::encode_text(&format!("{text} · Roomlink")).into_owned()
        } else {
            format!("{text} · Roomlink")
        }
    };
    view! { <leptos_meta::Title text formatter /> }
}
