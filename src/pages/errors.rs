//! The page shown instead of another when something is wrong.

use leptos::prelude::*;

use super::set_error_status;
use crate::{
    error::AppError,
    i18n::{td_string, use_locale},
};

/// A full-page error with the right HTTP status and a way onward.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    set_error_status(&error);
    let locale = use_locale();
    let (title, hint) = match &error {
        AppError::InviteInvalid => {
            (td_string!(locale, error_page.invite_invalid), td_string!(locale, error_page.invite_invalid_hint))
        }
        AppError::NotMember => (td_string!(locale, error_page.not_member), td_string!(locale, error_page.not_member_hint)),
        AppError::NotFound => (td_string!(locale, error_page.not_found), td_string!(locale, error_page.not_found_hint)),
        AppError::NotLoggedIn => {
            (td_string!(locale, error_page.not_logged_in), td_string!(locale, error_page.not_logged_in_hint))
        }
        AppError::ChatNotFound => {
            (td_string!(locale, error_page.chat_not_found), td_string!(locale, error_page.chat_not_found_hint))
        }
        AppError::ChatEnded(_) => (td_string!(locale, error_page.chat_ended), td_string!(locale, error_page.chat_ended_hint)),
        _ => (td_string!(locale, error_page.other), td_string!(locale, error_page.other_hint)),
    };
    let detail = match &error {
        AppError::InviteInvalid
        | AppError::NotMember
        | AppError::NotFound
        | AppError::NotLoggedIn
        | AppError::ChatNotFound => None,
        other => Some(other.message(locale)),
    };
    let login = matches!(error, AppError::NotLoggedIn);
    view! {
        <super::PageTitle text=title />
        <section class="card error-page">
            <h1>{title}</h1>
            <p>{hint}</p>
            {detail.map(|d| view! { <p class="muted">{d}</p> })}
            <p>
                {login.then(|| view! { <a class="button" href="/login">{td_string!(locale, error_page.log_in)}</a> " " })}
                <a href="/">{td_string!(locale, common.home_link)}</a>
            </p>
        </section>
    }
}
