//! The profile's account controls (issue 41): "Change password" and
//! "Where you're logged in", with "End session" for each other session and
//! "Log out everywhere else". Plain forms: they work before the page's code
//! has loaded, and without it.

use leptos::prelude::*;

use super::{form_error, format, LocalOffset};
use crate::{
    accounts::sessions::{account_sessions, ChangePassword, EndAccountSession, EndOtherSessions, SessionView},
    i18n::{td_string, use_locale, Locale},
    limits::PASSWORD_MIN_CHARS,
};

/// "Change password": the current one and the new one. Once changed, every
/// other session of the account has ended.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = form_error(change.value(), "change_password");
    let changed = move || matches!(change.value().get(), Some(Ok(())));
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
                <button type="submit" class="primary" disabled=move || change.pending().get()>
                    {td_string!(locale, account.change_password)}
                </button>
                <p role="status">{move || changed().then_some(td_string!(locale, account.password_changed))}</p>
                <p role="alert" class="error">{error}</p>
            </ActionForm>
        </section>
    }
}

/// "Where you're logged in": this device first, then the others, each with
/// its browser, system, coarse address, when it began and was last active.
#[component]
pub fn SessionList() -> impl IntoView {
    let end = ServerAction::<EndAccountSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(move || (end.version().get(), end_others.version().get()), |_| account_sessions());
    let end_error = form_error(end.value(), "end_account_session");
    let others_error = form_error(end_others.value(), "end_other_sessions");
    let locale = use_locale();
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{td_string!(locale, account.sessions_title)}</h2>
            <Transition fallback=move || view! { <p class="muted">{td_string!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let list = match sessions.await {
                        Ok(list) => list,
                        Err(err) => return view! { <p role="alert" class="error">{err.message(locale)}</p> }.into_any(),
                    };
                    let others = list.iter().filter(|s| !s.current).count();
                    view! {
                        <ul class="sessions">
                            {list.into_iter().map(|s| view! { <SessionItem session=s end locale /> }).collect_view()}
                        </ul>
                        {(others == 0).then(|| view! { <p class="muted">{td_string!(locale, account.only_here)}</p> })}
                        {(others > 0).then(|| view! {
                            <ActionForm action=end_others>
                                <button type="submit" class="danger">{td_string!(locale, account.end_others)}</button>
                            </ActionForm>
                        })}
                    }.into_any()
                })}
            </Transition>
            <p role="alert" class="error">{end_error}</p>
            <p role="alert" class="error">{others_error}</p>
        </section>
    }
}

/// One session of the list, with "End session" unless it is this one.
#[component]
fn SessionItem(session: SessionView, end: ServerAction<EndAccountSession>, locale: Locale) -> impl IntoView {
    let offset = expect_context::<LocalOffset>().0;
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
