//! The profile's "Delete my account" card (issue 41): what goes and what
//! stays, the rooms the person must hand over or delete first (each a
//! link to it), and a plain form asking for the password, which works
//! without JavaScript too. Done, the browser lands on the home page, which
//! says so ([`DeletedNotice`]).

use leptos::prelude::*;

use super::{form_error, Session};
use crate::{
    accounts::{
        deletion::{rooms_owned, OwnedRoom},
        ACCOUNT_DATA_PATH,
    },
    error::AppError,
    i18n::{td_string, use_locale},
};

/// The card's state, made by the page outside its `Suspend` (so that
/// nothing it owns is disposed while the page's async part still renders).
#[derive(Clone, Copy)]
pub struct DeletionControls {
    /// The rooms the account owns, teacher spaces aside.
    pub owned: Resource<Result<Vec<OwnedRoom>, AppError>>,
    error: Signal<Option<String>>,
}

impl DeletionControls {
    /// The controls of the logged-in account.
    pub fn new() -> DeletionControls {
        let delete = expect_context::<Session>().delete_account;
        DeletionControls {
            owned: Resource::new(move || delete.version().try_get(), |_| rooms_owned()),
            error: form_error(delete.value(), "delete_account"),
        }
    }
}

/// "Delete my account": the form, or while the account owns rooms, the
/// list of them to hand over or delete first.
#[component]
pub fn DeleteAccountCard(controls: DeletionControls, owned: Result<Vec<OwnedRoom>, AppError>) -> impl IntoView {
    let locale = use_locale();
    let delete = expect_context::<Session>().delete_account;
    let body = match owned {
        Err(err) => view! { <p role="alert" class="error">{err.message(locale)}</p> }.into_any(),
        Ok(rooms) if !rooms.is_empty() => view! {
            <p class="error">{td_string!(locale, deletion.owns_rooms)}</p>
            <ul class="owned-rooms">
                {rooms.into_iter().map(|room| view! {
                    <li><a href=format!("/rooms/{}", room.id)>{room.name}</a></li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Ok(_) => view! {
            <ActionForm action=delete>
                <label for="delete-password">{td_string!(locale, deletion.password_to_confirm)}</label>
                <input id="delete-password" type="password" name="password" autocomplete="current-password" required />
                <button type="submit" class="danger" disabled=move || delete.pending().try_get().unwrap_or(false)>{td_string!(locale, deletion.submit)}</button>
                <p role="alert" class="error">{controls.error}</p>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="delete-title">
            <h2 id="delete-title">{td_string!(locale, deletion.title)}</h2>
            <p>{td_string!(locale, deletion.explain)}</p>
            <p class="muted"><a href=ACCOUNT_DATA_PATH download="">{td_string!(locale, deletion.download_first)}</a></p>
            {body}
        </section>
    }
}

/// The home page's word after a deletion (`/?account_deleted`).
#[component]
pub fn DeletedNotice() -> impl IntoView {
    let locale = use_locale();
    let query = leptos_router::hooks::use_query_map();
    let deleted = Memo::new(move |_| query.read().get("account_deleted").is_some());
    move || deleted.get().then(|| view! { <p class="card done" role="status">{td_string!(locale, deletion.deleted)}</p> })
}
