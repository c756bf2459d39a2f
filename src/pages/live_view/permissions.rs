//! The owner's "Permissions" for one member: role (member or moderator) and
//! the three permissions, saved as soon as one changes. Changing the role
//! puts the permissions back to what that role gives; ticking a box sets
//! that permission for this member whatever their role (Discord's
//! per-member overrides).

use leptos::prelude::*;

use super::LiveState;
use crate::{
    i18n::{td_string, use_locale},
    rooms::{Rights, Role},
};

/// What to save: role, can_write, and can_invite / can_moderate (`None`:
/// as the role gives).
type Change = (Role, bool, Option<bool>, Option<bool>);

/// A disclosure with the role picker and three labelled checkboxes.
#[component]
pub fn PermissionsEditor(state: LiveState, room_id: i64, member_id: i64, name: String, rights: Rights) -> impl IntoView {
    let locale = use_locale();
    let save = move |change: Change| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let (role, can_write, can_invite, can_moderate) = change;
            let done = crate::rooms::permissions::set_member_rights(room_id, member_id, role, can_write, can_invite, can_moderate).await;
            if let Err(err) = done {
                state.error.set(Some(err.message(locale)));
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (change, room_id, member_id, state);
    };
    let Rights { role, can_write, can_invite, can_moderate } = rights;
    let id = |what: &str| format!("perm-{member_id}-{what}");
    let checked = |ev: &leptos::ev::Event| event_target_checked(ev);
    view! {
        <details class="permissions">
            <summary aria-label=td_string!(locale, permissions.for_name, name = &name).to_string()>{td_string!(locale, permissions.title)}</summary>
            <label for=id("role")>{td_string!(locale, permissions.role)}</label>
            <select id=id("role") on:change=move |ev| {
                let role = if event_target_value(&ev) == "moderator" { Role::Moderator } else { Role::Member };
                save((role, can_write, None, None));
            }>
                <option value="member" selected=role == Role::Member>{td_string!(locale, links.as_member)}</option>
                <option value="moderator" selected=role == Role::Moderator>{td_string!(locale, links.as_moderator)}</option>
            </select>
            <label>
                <input type="checkbox" checked=can_write
                    on:change=move |ev| save((role, checked(&ev), Some(can_invite), Some(can_moderate))) />
                {td_string!(locale, permissions.can_write)}
            </label>
            <label>
                <input type="checkbox" checked=can_invite
                    on:change=move |ev| save((role, can_write, Some(checked(&ev)), Some(can_moderate))) />
                {td_string!(locale, permissions.can_invite)}
            </label>
            <label>
                <input type="checkbox" checked=can_moderate
                    on:change=move |ev| save((role, can_write, Some(can_invite), Some(checked(&ev)))) />
                {td_string!(locale, permissions.can_moderate)}
            </label>
        </details>
    }
    .into_any()
}
