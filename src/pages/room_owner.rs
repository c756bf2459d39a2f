//! The owner's last tools, under "Room settings": handing the room over to
//! another member, and deleting it (see [`crate::rooms::lifecycle`]).

use leptos::{prelude::*, server_fn::ServerFn};

use super::live_view::LiveState;
use crate::{
    i18n::{td_string, use_locale},
    rooms::lifecycle::{DeleteRoom, HandOverRoom},
};

/// True once the page's code runs: until then (and without JavaScript)
/// the forms' buttons stay enabled, and the server checks what they send.
fn hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

/// "Hand over the room": a member picker and "Hand over", confirmed first
/// (without JavaScript, a plain form, not confirmed).
/// Once done, the page shows the roles as they are now (the member list
/// and this page's own tools follow the live role change).
#[component]
pub fn HandOver(room_id: i64, state: LiveState) -> impl IntoView {
    let hand_over = ServerAction::<HandOverRoom>::new();
    let chosen = RwSignal::new(String::new());
    let hydrated = hydrated();
    let locale = use_locale();
    let others = move || state.members_now().into_iter().filter(|m| m.id != state.viewer()).collect::<Vec<_>>();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(user_id) = chosen.get_untracked().parse::<i64>() else { return };
        #[cfg(feature = "hydrate")]
        {
            let name = others().into_iter().find(|m| m.id == user_id).map(|m| m.name).unwrap_or_default();
            let question = td_string!(locale, manage.hand_over_question, name = &name).to_string();
            if !web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false) {
                return;
            }
        }
        hand_over.dispatch(HandOverRoom { room_id, user_id });
    };
    view! {
        <form class="card hand-over" method="post" action={<HandOverRoom as ServerFn>::PATH} on:submit=submit aria-labelledby="hand-over-heading">
            <input type="hidden" name="room_id" value=room_id />
            <h2 id="hand-over-heading">{td_string!(locale, manage.hand_over_title)}</h2>
            <p class="muted">{td_string!(locale, manage.hand_over_help)}</p>
            <label for="new-owner">{td_string!(locale, manage.new_owner)}</label>
            <div class="row">
                <select id="new-owner" name="user_id" required on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="">{td_string!(locale, manage.choose_member)}</option>
                    {move || others().into_iter().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view()}
                </select>
                <button type="submit" disabled=move || hand_over.pending().try_get().unwrap_or(false) || (hydrated.get() && chosen.get().is_empty())>
                    {td_string!(locale, manage.hand_over)}
                </button>
            </div>
            <p role="alert" class="error">{move || hand_over.value().try_get().flatten().and_then(Result::err).map(|e| e.message(locale))}</p>
        </form>
    }
    .into_any()
}

/// "Delete room": enabled once the room's name (`name`, as it is now) is
/// typed again (the server checks it too, so without JavaScript the button
/// is always enabled); a form, so the owner goes home when it is done.
#[component]
pub fn DeleteRoomForm(room_id: i64, #[prop(into)] name: Signal<String>) -> impl IntoView {
    let delete = ServerAction::<DeleteRoom>::new();
    let typed = RwSignal::new(String::new());
    let hydrated = hydrated();
    let locale = use_locale();
    let matches = move || typed.with(|t| t.trim() == name.get());
    view! {
        <ActionForm action=delete attr:class="card delete-room" attr:aria-labelledby="delete-heading">
            <h2 id="delete-heading">{td_string!(locale, manage.delete_title)}</h2>
            <p>{td_string!(locale, manage.delete_help)}</p>
            <input type="hidden" name="room_id" value=room_id />
            <label for="delete-name">{td_string!(locale, manage.type_name)}</label>
            <input id="delete-name" name="name" autocomplete="off" on:input=move |ev| typed.set(event_target_value(&ev)) />
            <button type="submit" class="danger" disabled=move || (hydrated.get() && !matches()) || delete.pending().try_get().unwrap_or(false)>
                {td_string!(locale, manage.delete)}
            </button>
            <p role="alert" class="error">{move || delete.value().try_get().flatten().and_then(Result::err).map(|e| e.message(locale))}</p>
        </ActionForm>
    }
    .into_any()
}
