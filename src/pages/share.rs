//! A link to pass on: a read-only field that selects itself on focus and a
//! Copy button that uses the clipboard API and says "Copied!".

use leptos::prelude::*;

use crate::i18n::{td_string, use_locale};

/// A labelled, read-only link with a Copy button. `id` names the input.
#[component]
pub fn LinkField(#[prop(into)] id: String, #[prop(into)] label: String, url: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let to_copy = url.clone();
    let locale = use_locale();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&to_copy);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &to_copy;
    };
    view! {
        <div class="invite-link">
            <label for=id.clone()>{label}</label>
            <div class="row">
                <input id=id readonly value=url
                    on:focus=|ev| { let _ = event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); } />
                <button type="button" on:click=copy>
                    {move || if copied.get() { td_string!(locale, common.copied) } else { td_string!(locale, common.copy) }}
                </button>
            </div>
        </div>
    }
}
