//! Roomlink: chat rooms that people join by link.
//!
//! The crate is split by subject so that `src/` reads like the product:
//!
//! - [`accounts`]: sign-up, log-in, log-out, who the current user is and
//!   their profile (teacher, student).
//! - [`rooms`]: creating rooms, listing a user's rooms, loading a room page.
//! - [`invites`]: invite links (create, preview, accept).
//! - [`spaces`]: teacher spaces: language invites and the private
//!   teacher-student rooms they make.
//! - [`attachments`]: images and voice messages: checks, upload, serving.
//! - [`live`]: the live layer: the WebSocket protocol, the fan-out hub and the
//!   browser's connection.
//! - [`store`] (server only): every SQL statement the app runs.
//! - [`context`] (server only): what every request handler and server
//!   function reaches: the shared state, the settings, the rate limiters,
//!   the client's address and origin.
//! - [`pages`]: the Leptos components, one page per file.
//! - [`server`] (server only): the composition root: the axum router, its
//!   middleware and start-up.
//! - [`types`]: the shared wire and domain types (rooms, invites, spaces,
//!   timeline lines, attachments), below everything else.
//! - [`limits`]: every length, size and count limit, in one place.
//! - [`error`]: the one error type that server functions return to the browser.
//! - [`i18n`]: the languages (English, Brazilian Portuguese), their words
//!   (`locales/`) and which one each person reads.
//! - [`clock`] (server only): now, in Unix milliseconds.
//! - [`invite_token`] (server only): invite tokens, made and hashed, for
//!   invite links and teachers' language invites alike.
//!
//! The crate builds twice: with the `ssr` feature as the server binary, and with
//! `hydrate` as the WebAssembly bundle that takes over the server-rendered page.

// leptos_i18n's views (a `td!` with components) nest deeper types than
// rustc's default limit of 128 lets it lay out in release builds.
#![recursion_limit = "256"]

pub mod accounts;
pub mod attachments;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod invite_token;
pub mod error;
pub mod i18n;
pub mod instant;
pub mod invites;
pub mod limits;
pub mod names;
pub mod live;
pub mod pages;
pub mod rooms;
#[cfg(feature = "ssr")]
pub mod server;
pub mod spaces;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;


/// Entry point of the WebAssembly bundle: hydrates the server-rendered page,
/// once the chunk of the page's route has loaded (see `pages::routes`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `leptos::mount::hydrate_lazy`, then a mark on `<html>` once the page
    // is interactive: `data-hydrated`, whose value is milliseconds since the
    // navigation started (the end-to-end tests and the first-visit
    // benchmark wait for it).
    wasm_bindgen_futures::spawn_local(async {
        let document = leptos::prelude::document();
        let Some(body) = document.body() else { return };
        leptos::mount::hydrate_from_async(body, pages::App).await.forget();
        // Only now, with every part of the page hydrated, may times change.
        pages::apply_local_offset();
        // Whole milliseconds, written without float formatting (which
        // would add its code to the main chunk).
        let since_start = leptos::prelude::window().performance().map_or(0.0, |p| p.now()) as u64;
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("data-hydrated", &since_start.to_string());
        }
    });
}
