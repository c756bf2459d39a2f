//! The profile's account controls (issue 41): "Change password", "Where
//! you're logged in" (with "End session" for each other session and "Log
//! out everywhere else") and "Download my data"; "Recovery codes" is
//! [`super::recovery::RecoveryCodesCard`]. Plain forms and a plain
//! link: they work before the page's code has loaded, and without it.

use leptos::prelude::*;

use super::{form_error, format};
use crate::{
    error::AppError,
    accounts::{
        recovery::{recovery_codes_left, NewRecoveryCodes},
        sessions::{account_sessions, ChangePassword, EndAccountSession, EndOtherSessions, SessionView},
        ACCOUNT_DATA_PATH,
    },
    i18n::{td_string, use_locale, Locale},
    limits::PASSWORD_MIN_CHARS,
};

/// The account controls' actions, errors and list of sessions, made by
/// the page outside its `Suspend` (so that nothing they own is disposed
/// while the page's async part still renders).
#[derive(Clone, Copy)]
pub struct AccountControls {
    change: ServerAction<ChangePassword>,
    change_error: Signal<Option<String>>,
    end: ServerAction<EndAccountSession>,
    end_error: Signal<Option<String>>,
    end_others: ServerAction<EndOtherSessions>,
    others_error: Signal<Option<String>>,
    /// The account's sessions, read again after each action.
    pub sessions: Resource<Result<Vec<SessionView>, AppError>>,
    /// "Make new recovery codes" ([`super::recovery::RecoveryCodesCard`]).
    pub new_codes: ServerAction<NewRecoveryCodes>,
    /// Its refusal, if any.
    pub new_codes_error: Signal<Option<String>>,
    /// How many recovery codes the account has left.
    pub codes_left: Resource<Result<u32, AppError>>,
}

impl AccountControls {
    /// The controls of the logged-in account.
    pub fn new() -> AccountControls {
        let change = ServerAction::<ChangePassword>::new();
        let end = ServerAction::<EndAccountSession>::new();
        let end_others = ServerAction::<EndOtherSessions>::new();
        let sessions = Resource::new(
            move || (change.version().try_get(), end.version().try_get(), end_others.version().try_get()),
            |_| account_sessions(),
        );
        let new_codes = ServerAction::<NewRecoveryCodes>::new();
        AccountControls {
            new_codes,
            new_codes_error: form_error(new_codes.value(), "new_recovery_codes"),
            codes_left: Resource::new(move || new_codes.version().try_get(), |_| recovery_codes_left()),
            change,
            change_error: form_error(change.value(), "change_password"),
            end,
            end_error: form_error(end.value(), "end_account_session"),
            end_others,
            others_error: form_error(end_others.value(), "end_other_sessions"),
            sessions,
        }
    }
}

/// "Change password": the current one and the new one. Once changed, every
/// other session of the account has ended.
#[component]
pub fn ChangePasswordForm(controls: AccountControls) -> impl IntoView {
    let change = controls.change;
    let changed = move || matches!(change.value().try_get().flatten(), Some(Ok(())));
    let locale = use_locale();
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{td_string!(locale, account.password_title)}</h2>
            <ActionForm action=change>
                <label for="current-password">{td_string!(locale, account.current_password)}</label>
                <input id="current-password" type="password" name="current_password" autocomplete="current-password" required />
                <label for="new-password">{td_string!(locale, account.new_password)}</label>
                <input id="new-password" type="password" name="new_password" autocomplete="new-password"
                    minlength=PASSWORD_MIN_CHARS.to_string() required />
                <button type="submit" class="primary" disabled=move || change.pending().try_get().unwrap_or(false)>
                    {td_string!(locale, account.change_password)}
                </button>
                <p role="status">{move || changed().then_some(td_string!(locale, account.password_changed))}</p>
                <p role="alert" class="error">{controls.change_error}</p>
            </ActionForm>
        </section>
    }
}

/// "Where you're logged in": this device first, then the others, each with
/// its browser, system, coarse address, when it began and was last active.
#[component]
pub fn SessionList(controls: AccountControls, list: Result<Vec<SessionView>, AppError>) -> impl IntoView {
    let locale = use_locale();
    let listed = match list {
        Ok(list) => {
            let others = list.iter().filter(|s| !s.current).count();
            let end = controls.end;
            view! {
                <ul class="sessions">
                    {list.into_iter().map(|s| view! { <SessionItem session=s end locale /> }).collect_view()}
                </ul>
                {(others == 0).then(|| view! { <p class="muted">{td_string!(locale, account.only_here)}</p> })}
                {(others > 0).then(|| view! {
                    <ActionForm action=controls.end_others>
                        <button type="submit" class="danger">{td_string!(locale, account.end_others)}</button>
                    </ActionForm>
                })}
            }
            .into_any()
        }
        Err(err) => view! { <p role="alert" class="error">{err.message(locale)}</p> }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{td_string!(locale, account.sessions_title)}</h2>
            {listed}
            <p role="alert" class="error">{controls.end_error}</p>
            <p role="alert" class="error">{controls.others_error}</p>
        </section>
    }
}

/// One session of the list, with "End session" unless it is this one.
#[component]
fn SessionItem(session: SessionView, end: ServerAction<EndAccountSession>, locale: Locale) -> impl IntoView {
    let offset = format::local_offset();
    let browser = session.browser.clone().unwrap_or_else(|| td_string!(locale, account.unknown_browser).to_string());
    let device = match &session.system {
        Some(system) => td_string!(locale, account.browser_on_system, browser = browser, system = system.clone()).to_string(),
        None => browser,
    };
    let (started, active) = (session.started_at, session.last_active_at);
    let when = move || {
        let started = format::date_time(started, offset.get(), locale);
        let active = format::date_time(active, offset.get(), locale);
        td_string!(locale, account.started_and_active, started = started, active = active).to_string()
    };
    let address = (!session.address.is_empty())
        .then(|| td_string!(locale, account.from_address, address = session.address.clone()).to_string());
    let end_label = td_string!(locale, account.end_named, device = device.clone()).to_string();
    view! {
        <li class="session" data-current=session.current.to_string()>
            <strong>{device}</strong>
            {session.current.then(|| view! { " " <span class="tag">{td_string!(locale, account.this_device)}</span> })}
            <br />
            <span class="muted">{when}{address.map(|a| format!(" · {a}"))}</span>
            {(!session.current).then(|| view! {
                <ActionForm action=end attr:class="inline">
                    <input type="hidden" name="id" value=session.id.to_string() />
                    <button type="submit" class="link danger" aria-label=end_label>{td_string!(locale, account.end)}</button>
                </ActionForm>
            })}
        </li>
    }
}

/// "Your data": a JSON file of the account, its sessions, memberships,
/// invite links and messages ([`crate::accounts::export`]).
#[component]
pub fn YourData() -> impl IntoView {
    let locale = use_locale();
    view! {
        <section class="card" aria-labelledby="data-title">
            <h2 id="data-title">{td_string!(locale, account.data_title)}</h2>
            <p class="muted">{td_string!(locale, account.data_hint)}</p>
            <p><a href=ACCOUNT_DATA_PATH download="">{td_string!(locale, account.download_data)}</a></p>
        </section>
    }
}
