//! Recovery by email (issue 41): the profile's "Email for recovery" card,
//! "Or get a link by email" on `/recover`, and the two pages links in
//! mails open, `/email/confirm/<token>` and `/reset-password/<token>`,
//! which show whose link it is and change nothing until their button is
//! pressed (link scanners open links too). Plain forms: they work before
//! the page's code has loaded, and without it. Shown only when the server
//! sends mail ([`EmailStatus::enabled`]).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{form_error, Session};
use crate::{
    accounts::email::{confirm_link, email_options, reset_link, AddEmail, ConfirmEmail, EmailLinkView, EmailStatus, RemoveEmail, SendResetLink},
    error::AppError,
    i18n::{td_string, use_locale},
    limits::{EMAIL_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
};

/// The profile card's actions and what it shows, made by the page outside
/// its `Suspend`.
#[derive(Clone, Copy)]
pub struct EmailControls {
    add: ServerAction<AddEmail>,
    add_error: Signal<Option<String>>,
    remove: ServerAction<RemoveEmail>,
    remove_error: Signal<Option<String>>,
    /// Whether mail is sent, the address and the one awaiting confirmation.
    pub status: Resource<Result<EmailStatus, AppError>>,
}

impl EmailControls {
    /// The controls of the logged-in account.
    pub fn new() -> EmailControls {
        let add = ServerAction::<AddEmail>::new();
        let remove = ServerAction::<RemoveEmail>::new();
        EmailControls {
            add,
            add_error: form_error(add.value(), "add_email"),
            remove,
            remove_error: form_error(remove.value(), "remove_email"),
            status: Resource::new(move || (add.version().try_get(), remove.version().try_get()), |_| email_options()),
        }
    }
}

/// "Email for recovery": the confirmed address (with "Remove address"),
/// the one awaiting confirmation, and a form that sends a confirmation
/// link. Nothing when the server sends no mail.
#[component]
pub fn EmailCard(controls: EmailControls, status: Result<EmailStatus, AppError>) -> impl IntoView {
    let locale = use_locale();
    let status = match status {
        Ok(status) if !status.enabled => return ().into_any(),
        Ok(status) => status,
        Err(err) => return view! { <p role="alert" class="error">{err.message(locale)}</p> }.into_any(),
    };
    let query = use_query_map();
    let sent = move || matches!(controls.add.value().try_get().flatten(), Some(Ok(()))) || query.read().get("email_sent").is_some();
    let (add, remove) = (controls.add, controls.remove);
    let confirmed = status.address.clone().map(|email| {
        let said = td_string!(locale, email.confirmed, email = email.clone()).to_string();
        view! {
            <p data-email=email>{said}</p>
            <ActionForm action=remove>
                <label for="remove-email-password">{td_string!(locale, email.password_to_confirm)}</label>
                <input id="remove-email-password" type="password" name="password" autocomplete="current-password" required />
                <button type="submit" disabled=move || remove.pending().try_get().unwrap_or(false)>{td_string!(locale, email.remove)}</button>
                <p role="alert" class="error">{controls.remove_error}</p>
            </ActionForm>
        }
    });
    let awaiting = status.awaiting.map(|email| view! { <p class="muted">{td_string!(locale, email.awaiting, email)}</p> });
    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">{td_string!(locale, email.section_title)}</h2>
            {confirmed}
            {awaiting}
            <ActionForm action=add>
                <p class="muted">{td_string!(locale, email.off_hint)}</p>
                <label for="email-address">{td_string!(locale, email.address)}</label>
                <input id="email-address" type="email" name="email" autocomplete="email" required maxlength=EMAIL_MAX_CHARS />
                <label for="email-password">{td_string!(locale, email.password_to_confirm)}</label>
                <input id="email-password" type="password" name="password" autocomplete="current-password" required />
                <button type="submit" disabled=move || add.pending().try_get().unwrap_or(false)>{td_string!(locale, email.add)}</button>
                <p role="status">{move || sent().then(|| td_string!(locale, email.sent))}</p>
                <p role="alert" class="error">{controls.add_error}</p>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// "Or get a link by email" on `/recover`, when the server sends mail.
/// The answer is the same whether or not the account exists (`?sent`).
#[component]
pub fn ResetByEmail() -> impl IntoView {
    let locale = use_locale();
    let send = ServerAction::<SendResetLink>::new();
    let error = form_error(send.value(), "send_reset_link");
    let query = use_query_map();
    let sent = move || matches!(send.value().try_get().flatten(), Some(Ok(()))) || query.read().get("sent").is_some();
    let status = Resource::new(|| (), |_| email_options());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let enabled = status.await.is_ok_and(|s| s.enabled);
                enabled.then(|| view! {
                    <section class="card narrow" aria-labelledby="by-email-title">
                        <h2 id="by-email-title">{td_string!(locale, email.by_email_title)}</h2>
                        <p class="muted">{td_string!(locale, email.by_email_intro)}</p>
                        <ActionForm action=send>
                            <label for="reset-who">{td_string!(locale, email.username_or_email)}</label>
                            <input id="reset-who" name="username_or_email" required autocomplete="username" maxlength=EMAIL_MAX_CHARS />
                            <button type="submit" disabled=move || send.pending().try_get().unwrap_or(false)>{td_string!(locale, email.send_reset)}</button>
                            <p role="status">{move || sent().then(|| td_string!(locale, email.reset_sent))}</p>
                            <p role="alert" class="error">{error}</p>
                        </ActionForm>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// The link in the page's path (`:token`), as the server function of its
/// purpose reads it: whose it is while it works, `None` after.
type LinkResource = Resource<Result<Option<EmailLinkView>, AppError>>;

/// A page a mailed link opens: titled `title`, it shows `card` (given the
/// link and its token) while the link works, and "This link no longer
/// works" once it is used or expired.
fn link_page<Read, Fut>(title: &'static str, read: Read, card: impl Fn(EmailLinkView, String) -> AnyView + Copy + Send + Sync + 'static) -> impl IntoView
where
    Read: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Option<EmailLinkView>, AppError>> + Send + 'static,
{
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let link: LinkResource = Resource::new(move || token.try_get().unwrap_or_default(), read);
    view! {
        <super::PageTitle text=title />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match link.await {
                    Ok(Some(found)) => card(found, token.get_untracked()),
                    Ok(None) => link_ended(),
                    Err(err) => view! { <super::ErrorPage error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "This link no longer works".
fn link_ended() -> AnyView {
    let locale = use_locale();
    view! {
        <section class="card narrow">
            <h1>{td_string!(locale, email.link_ended_title)}</h1>
            <p>{td_string!(locale, email.link_ended)}</p>
            <p><a href="/recover">{td_string!(locale, recovery.forgot)}</a></p>
        </section>
    }
    .into_any()
}

/// `/email/confirm/<token>`: whose address it confirms, and "Confirm address".
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let locale = use_locale();
    let confirm = ServerAction::<ConfirmEmail>::new();
    let error = form_error(confirm.value(), "confirm_email");
    let card = move |EmailLinkView { username, email }, token: String| {
        view! {
            <section class="card narrow">
                <h1>{td_string!(locale, email.confirm_title)}</h1>
                <p>{td_string!(locale, email.confirm_intro, email, username)}</p>
                <ActionForm action=confirm>
                    <input type="hidden" name="token" value=token />
                    <button type="submit" class="primary" disabled=move || confirm.pending().try_get().unwrap_or(false)>
                        {td_string!(locale, email.confirm_button)}
                    </button>
                    <p role="alert" class="error">{error}</p>
                </ActionForm>
            </section>
        }
        .into_any()
    };
    link_page(td_string!(locale, email.confirm_title), confirm_link, card)
}

/// `/reset-password/<token>`: a new password for the link's account.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let locale = use_locale();
    // The session's action: once it succeeds, the header names who is logged in.
    let reset = expect_context::<Session>().reset_password;
    let error = form_error(reset.value(), "reset_password");
    let card = move |EmailLinkView { username, .. }, token: String| {
        view! {
            <section class="card narrow">
                <h1>{td_string!(locale, email.reset_title)}</h1>
                <p>{td_string!(locale, email.reset_intro, username)}</p>
                <ActionForm action=reset>
                    <input type="hidden" name="token" value=token />
                    <label for="new-password">{td_string!(locale, account.new_password)}</label>
                    <input id="new-password" name="new_password" type="password" required autocomplete="new-password"
                        minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS />
                    <p role="alert" class="error">{error}</p>
                    <button type="submit" class="primary" disabled=move || reset.pending().try_get().unwrap_or(false)>
                        {td_string!(locale, email.reset_button)}
                    </button>
                </ActionForm>
            </section>
        }
        .into_any()
    };
    link_page(td_string!(locale, email.reset_title), reset_link, card)
}

/// The home page's word after an address is confirmed (`/?email_confirmed`).
#[component]
pub fn EmailConfirmedNotice() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let confirmed = Memo::new(move |_| query.read().get("email_confirmed").is_some());
    move || confirmed.get().then(|| view! { <p class="card done" role="status">{td_string!(locale, email.confirmed_notice)}</p> })
}
