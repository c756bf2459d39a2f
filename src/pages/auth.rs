//! Log-in and sign-up pages. Both take `?next=/local/path` and return there.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use super::{form_error, Session};
use crate::i18n::{td_string, use_locale};
use crate::limits::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS};

/// `/login`.
#[component]
pub fn LogInPage() -> impl IntoView {
    let action = expect_context::<Session>().log_in;
    let error = form_error(action.value(), "log_in");
    let locale = use_locale();
    view! {
        <AuthCard sign_up=false>
            <ActionForm action>
                <AuthFields sign_up=false error />
            </ActionForm>
            <p><A href="/recover">{td_string!(locale, recovery.forgot)}</A></p>
        </AuthCard>
    }
}

/// `/signup`.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = expect_context::<Session>().sign_up;
    let error = form_error(action.value(), "sign_up");
    view! {
        <AuthCard sign_up=true>
            <ActionForm action>
                <AuthFields sign_up=true error />
            </ActionForm>
        </AuthCard>
    }
}

/// The `next` query parameter, or empty.
fn next_path() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("next").unwrap_or_default())
}

#[component]
fn AuthCard(sign_up: bool, children: Children) -> impl IntoView {
    let next = next_path();
    let locale = use_locale();
    let (title, other_text, other_link, other_path) = if sign_up {
        (td_string!(locale, auth.sign_up), td_string!(locale, auth.have_account), td_string!(locale, auth.log_in), "/login")
    } else {
        (td_string!(locale, auth.log_in), td_string!(locale, auth.new_here), td_string!(locale, auth.sign_up), "/signup")
    };
    let other_href = move || {
        let next = next.get();
        if next.is_empty() {
            other_path.to_string()
        } else {
            let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            format!("{other_path}?next={encoded}")
        }
    };
    view! {
        <super::PageTitle text=title.to_string() />
        <section class="card narrow">
            <h1>{title}</h1>
            {move || (!next.get().is_empty()).then(|| view! {
                <p class="muted">{td_string!(locale, auth.afterwards)}</p>
            })}
            {children()}
            <p>{other_text} " " <A href=other_href>{other_link}</A></p>
        </section>
    }
}

#[component]
fn AuthFields(sign_up: bool, error: Signal<Option<String>>) -> impl IntoView {
    let next = next_path();
    let locale = use_locale();
    view! {
        <input type="hidden" name="next" value=next />
        <label for="username">{td_string!(locale, auth.username)}</label>
        <input id="username" name="username" required autocomplete="username"
            minlength=USERNAME_MIN_CHARS maxlength=USERNAME_MAX_CHARS />
        {sign_up.then(|| view! { <p class="hint">{td_string!(locale, auth.username_hint)}</p> })}
        <label for="password">{td_string!(locale, auth.password)}</label>
        <input id="password" name="password" type="password" required
            autocomplete=if sign_up { "new-password" } else { "current-password" }
            minlength=if sign_up { PASSWORD_MIN_CHARS } else { 1 } maxlength=PASSWORD_MAX_CHARS />
        {sign_up.then(|| view! { <p class="hint">{td_string!(locale, auth.password_hint)}</p> })}
        <p role="alert" class="error">{error}</p>
        <button type="submit">{if sign_up { td_string!(locale, auth.create_account) } else { td_string!(locale, auth.log_in) }}</button>
    }
}
