//! The page shown instead of another when something is wrong.

use leptos::prelude::*;

use super::set_error_status;
use crate::error::AppError;

/// A full-page error with the right HTTP status and a way onward.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    set_error_status(&error);
    let (title, hint) = match &error {
        AppError::InviteInvalid => ("This invite link is invalid or has expired", "Ask whoever sent it for a new one."),
        AppError::NotMember => ("You are not a member of this room", "Ask a member to send you an invite link."),
        AppError::NotFound => ("Page not found", "Check the address, or go back home."),
        AppError::NotLoggedIn => ("Please log in", "Log in to see this page."),
        AppError::ChatNotFound => (
            "This instant chat does not exist",
            "Instant chats are deleted when they end. Ask whoever sent the link for a new one, or start your own.",
        ),
        AppError::ChatEnded(_) => ("This chat has ended", "Start a new instant chat from the home page."),
        _ => ("Something went wrong", "Please try again in a moment."),
    };
    let detail = match &error {
        AppError::InviteInvalid
        | AppError::NotMember
        | AppError::NotFound
        | AppError::NotLoggedIn
        | AppError::ChatNotFound => None,
        other => Some(other.to_string()),
    };
    let login = matches!(error, AppError::NotLoggedIn);
    view! {
        <super::PageTitle text=title />
        <section class="card error-page">
            <h1>{title}</h1>
            <p>{hint}</p>
            {detail.map(|d| view! { <p class="muted">{d}</p> })}
            <p>
                {login.then(|| view! { <a class="button" href="/login">"Log in"</a> " " })}
                <a href="/">"Go to Roomlink's home page"</a>
            </p>
        </section>
    }
}
