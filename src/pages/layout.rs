//! The header on every page: the Roomlink name and who is logged in.

use leptos::prelude::*;
use leptos_router::components::A;

use super::Session;
use crate::invites::pending_invite_count;

/// Top bar: home link, then the user's name and "Log out", or "Log in" / "Sign up".
#[component]
pub fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    let location = leptos_router::hooks::use_location();
    // Counted again on every page change and whenever links are made or
    // revoked. `try_get`: when a page load is cut off half way, the server
    // may dispose of these before the resource reads its key (the panic
    // "reactive value ... disposed" in the log); the key no longer matters then.
    let pending = Resource::new(
        move || {
            let user = session.user.try_get().flatten().map(|u| u.ok().flatten().map(|u| u.id));
            (location.pathname.try_get(), session.links_changed.try_get(), user)
        },
        |_| pending_invite_count(),
    );
    // Always the same elements, only hidden at 0: what the server rendered
    // and what hydration finds must match even while the count reloads.
    let count = move || pending.get().and_then(Result::ok).unwrap_or(0);
    let badge = move || {
        view! {
            <span class="badge" title="Invite links nobody has used yet" hidden=move || count() == 0>
                {count}
                <span class="visually-hidden">
                    {move || if count() == 1 { " pending invite link" } else { " pending invite links" }}
                </span>
            </span>
        }
    };
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"Roomlink"</A>
            <nav aria-label="Account">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.user.await {
                            Ok(Some(user)) => view! {
                                <A href="/dashboard" attr:class="dashboard-link">"Dashboard" {badge}</A>
                                <A href="/profile">"Profile"</A>
                                <span class="whoami">"Logged in as " <strong>{user.username}</strong></span>
                                <ActionForm action=session.log_out attr:class="inline">
                                    <button type="submit" class="link">"Log out"</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <A href="/login">"Log in"</A>
                                <A href="/signup" attr:class="button">"Sign up"</A>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

/// Sets the document title to `text` (user text allowed).
///
/// leptos_meta 0.8 writes `<Title>` text into the server-rendered `<title>`
/// without escaping it, so a room named `</title><script>…` could inject
/// markup. On the server this escapes the text (a `<title>` decodes character
/// references, so readers see the original); in the browser, where the title
/// is set through `document.title`, the text goes through as it is.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    let formatter = |text: String| -> String {
        if cfg!(feature = "ssr") {
            html_escape::encode_text(&format!("{text} · Roomlink")).into_owned()
        } else {
            format!("{text} · Roomlink")
        }
    };
    view! { <leptos_meta::Title text formatter /> }
}
