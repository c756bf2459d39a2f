//! `/profile`: the user's roles. "I am a teacher" lets them make language
//! invites (on the dashboard); the student role comes from accepting one.

use leptos::prelude::*;

use super::{form_error, ErrorPage};
use crate::accounts::profile::{get_profile, SaveProfile};

/// `/profile`.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let profile = Resource::new(move || save.version().get(), |_| get_profile());
    let error = form_error(save.value(), "save_profile");
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <super::PageTitle text="Profile" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let profile = match profile.await {
                    Ok(p) => p,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let roles = match profile.roles() {
                    "" => "No roles yet.".to_string(),
                    roles => format!("Roles: {roles}."),
                };
                view! {
                    <section class="card">
                        <h1>{profile.username.clone()}</h1>
                        <p data-roles=profile.roles()>{roles}</p>
                        <ActionForm action=save>
                            <label class="check">
                                <input type="checkbox" name="teacher" value="on" checked=profile.is_teacher />
                                " I am a teacher: I make language invites for my students"
                            </label>
                            <button type="submit" class="primary" disabled=move || save.pending().get()>"Save profile"</button>
                            <p role="status">{move || saved().then_some("Saved.")}</p>
                            <p role="alert" class="error">{error}</p>
                        </ActionForm>
                        {profile.is_teacher.then(|| view! {
                            <p><a href="/dashboard">"Make language invites on your dashboard"</a></p>
                        })}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
    .into_any()
}
