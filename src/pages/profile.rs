//! `/profile`: the user's roles ("I am a teacher" lets them make language
//! invites on the dashboard; the student role comes from accepting one),
//! their password, their recovery codes and email, where they are logged in, a
//! copy of their data, and deleting the account.

use leptos::prelude::*;

use crate::i18n::{td_string, use_locale};

use super::{
    account_deletion::{DeleteAccountCard, DeletionControls},
    email::{EmailCard, EmailControls},
    account_sessions::{AccountControls, ChangePasswordForm, SessionList, YourData},
    form_error,
    recovery::RecoveryCodesCard,
    ErrorPage,
};
use crate::accounts::profile::{get_profile, SaveProfile};

/// `/profile`.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let profile = Resource::new(move || save.version().try_get(), |_| get_profile());
    let error = form_error(save.value(), "save_profile");
    let saved = move || matches!(save.value().try_get().flatten(), Some(Ok(())));
    let locale = use_locale();
    let controls = AccountControls::new();
    let deletion = DeletionControls::new();
    let email = EmailControls::new();
    // `?recovered`: the password was just reset with a recovery code.
    let query = leptos_router::hooks::use_query_map();
    let recovered = Memo::new(move |_| query.read().get("recovered").is_some());
    view! {
        <super::PageTitle text=td_string!(locale, header.profile) />
        <Transition fallback=move || view! { <p class="muted">{td_string!(locale, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let profile = match profile.await {
                    Ok(p) => p,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let sessions = controls.sessions.await;
                let codes_left = controls.codes_left.await;
                let owned = deletion.owned.await;
                let email_status = email.status.await;
                let roles = match (profile.is_teacher, profile.is_student) {
                    (false, false) => td_string!(locale, profile.no_roles),
                    (true, false) => td_string!(locale, profile.teacher),
                    (false, true) => td_string!(locale, profile.student),
                    (true, true) => td_string!(locale, profile.teacher_and_student),
                };
                view! {
                    {recovered.get_untracked().then(|| view! {
                        <p class="card done" role="status">{td_string!(locale, recovery.recovered)}</p>
                    })}
                    <section class="card">
                        <h1>{profile.username.clone()}</h1>
                        <p data-roles=profile.roles()>{roles}</p>
                        <ActionForm action=save>
                            <label class="check">
                                <input type="checkbox" name="teacher" value="on" checked=profile.is_teacher />
                                {td_string!(locale, profile.i_teach)}
                            </label>
                            <button type="submit" class="primary" disabled=move || save.pending().try_get().unwrap_or(false)>{td_string!(locale, profile.save)}</button>
                            <p role="status">{move || saved().then_some(td_string!(locale, common.saved))}</p>
                            <p role="alert" class="error">{error}</p>
                        </ActionForm>
                        {profile.is_teacher.then(|| view! {
                            <p><a href="/dashboard">{td_string!(locale, profile.to_dashboard)}</a></p>
                        })}
                    </section>
                    <ChangePasswordForm controls />
                    <RecoveryCodesCard controls left=codes_left />
                    <EmailCard controls=email status=email_status />
                    <SessionList controls list=sessions />
                    <YourData />
                    <DeleteAccountCard controls=deletion owned />
                }.into_any()
            })}
        </Transition>
    }
    .into_any()
}
