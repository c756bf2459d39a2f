//! The composer: the message input, Send, the connection status, the
//! reason a message was refused, and the typing signals it sends.

use leptos::prelude::*;

use super::{attach::AttachControls, Link, LiveState};
use crate::{
    i18n::{td_string, use_locale},
    limits::MESSAGE_MAX_CHARS,
};

#[component]
pub fn Composer(state: LiveState) -> impl IntoView {
    let locale = use_locale();
    let status = move || match state.link.get() {
        Link::Connecting => td_string!(locale, live.connecting),
        Link::Live => "",
        Link::Reconnecting => td_string!(locale, live.reconnecting),
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        state.submit();
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // Enter sends; Shift+Enter makes a new line (as in Slack and Discord).
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            state.submit();
        }
    };
    let count = move || {
        let n = state.draft.with(|d| d.trim().chars().count());
        (n > MESSAGE_MAX_CHARS - 200).then(|| format!("{n} / {MESSAGE_MAX_CHARS}"))
    };
    let ended = move || state.ended.get().is_some();
    // Says "stopped typing" 5 s after the last keystroke.
    #[cfg(feature = "hydrate")]
    let idle: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage> = StoredValue::new_local(None);
    let on_input = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            state.typed(event_target_value(&ev), js_sys::Date::now());
            let timeout = gloo_timers::callback::Timeout::new(crate::limits::TYPING_IDLE_MS, move || state.stopped_typing());
            idle.set_value(Some(timeout)); // drops (cancels) the previous one
        }
        #[cfg(not(feature = "hydrate"))]
        state.draft.set(event_target_value(&ev));
    };
    let form = NodeRef::<leptos::html::Form>::new();
    #[cfg(feature = "hydrate")]
    take_over_early_draft(state, form);
    view! {
        <form class="composer" node_ref=form on:submit=on_submit data-link=move || state.link.get().name()>
            {move || state.ended.get().map(|reason| view! { <p class="ended" role="alert">{reason}</p> })}
            <p class="link-status" role="status">{move || if ended() { "" } else { status() }}</p>
            <label for="composer-input" class="visually-hidden">{td_string!(locale, live.message_label)}</label>
            <textarea id="composer-input" name="body" rows="2" placeholder=td_string!(locale, live.message_placeholder)
                aria-describedby="composer-error"
                prop:value=move || state.draft.get()
                on:input=on_input on:blur=move |_| state.stopped_typing()
                on:keydown=on_keydown disabled=ended></textarea>
            <button type="submit" disabled=ended>{td_string!(locale, live.send)}</button>
            <Show when=move || !ended()>
                <AttachControls state />
            </Show>
            <p class="counter muted">{count}</p>
            <p id="composer-error" role="alert" class="error">{move || state.error.get()}</p>
        </form>
    }
    .into_any()
}


/// Takes over what the person did before this code loaded: the text typed
/// into the server-rendered composer becomes the draft (hydration would
/// otherwise set the input to the empty draft), and a message they sent
/// meanwhile, which the page's early script held back
/// ([`crate::pages::EARLY_COMPOSER_SCRIPT`]: it marks the form
/// `data-queued`), goes into the outbox now, to be sent as soon as the
/// socket is live. Then the form is marked `data-ready`, which ends the
/// early script's part.
#[cfg(feature = "hydrate")]
fn take_over_early_draft(state: LiveState, form: NodeRef<leptos::html::Form>) {
    use wasm_bindgen::JsCast;
    // Only when taking over the server's page: a composer made by moving
    // from page to page starts empty.
    let hydrating = Owner::current_shared_context().is_some_and(|context| context.during_hydration());
    if !hydrating {
        return;
    }
    let typed = document()
        .get_element_by_id("composer-input")
        .and_then(|el| el.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|input| input.value())
        .filter(|text| !text.is_empty());
    if let Some(text) = typed {
        state.draft.set(text);
    }
    Effect::new(move |_| {
        let Some(form) = form.get() else { return };
        let queued = form.has_attribute("data-queued");
        let _ = form.remove_attribute("data-queued");
        let _ = form.set_attribute("data-ready", "");
        if queued {
            state.submit();
        }
    });
}
