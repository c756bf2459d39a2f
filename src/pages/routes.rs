//! The app's routes as lazily loaded pages: each page's code is its own
//! WebAssembly chunk, fetched when the page is first opened, so a phone that
//! opens an invite link downloads the join page and the app's shell and
//! nothing of the room, the dashboard or the teaching pages.
//!
//! Each type here is a [`LazyRoute`] (Leptos 0.8's `#[lazy_route]`): on the
//! server it renders its page directly; in a build made with
//! `cargo leptos build --split` the page's view is split into its own chunk,
//! which the server names in the page's `<head>` as a preload (leptos'
//! `WasmSplitManifest`), so it downloads alongside the main chunk, and which
//! `leptos::mount::hydrate_lazy` waits for before hydrating. Code two pages
//! share (the live panel of rooms and instant chats) becomes a chunk of its
//! own, loaded once. Without `--split` (tests, debug builds) it is all one
//! bundle and behaves the same.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// Declares `$route`, a lazily loaded route whose view is the component
/// `$page` (a path to a `#[component]` with no props).
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    /// `/`: the welcome or the person's rooms, spaces and forms.
    HomeRoute => super::home::HomePage
);
lazy_page!(
    /// `/login`.
    LogInRoute => super::auth::LogInPage
);
lazy_page!(
    /// `/signup`.
    SignUpRoute => super::auth::SignUpPage
);
lazy_page!(
    /// `/rooms/:id`: the room with its live panel and management panels.
    RoomRoute => super::room::RoomPage
);
lazy_page!(
    /// `/dashboard`: rooms one runs, invite links, teaching.
    DashboardRoute => super::dashboard::DashboardPage
);
lazy_page!(
    /// `/profile`.
    ProfileRoute => super::profile::ProfilePage
);
lazy_page!(
    /// `/join/:token`: the invite card (or a teacher's space invite).
    JoinRoute => super::join::JoinPage
);
/// `/instant-chat/:id`: the join card, or the live chat. Like the others,
/// but the chat itself is a chunk of its own (`instant::chat_view`), which
/// this route loads with its own chunk (`preload`, which hydration waits
/// for) when the server rendered the chat: Leptos 0.8 hydrates a route's
/// view at once once its `preload` is done, and stops on a hydration
/// mismatch when a `Suspense` in it is still loading its code. The chunk
/// is already on its way then (the page's `<head>` preloads it).
pub struct InstantChatRoute;

#[leptos::lazy]
fn instant_chat_route_view(_this: InstantChatRoute) -> AnyView {
    super::instant::InstantChatPage().into_any()
}

impl LazyRoute for InstantChatRoute {
    fn data() -> Self {
        InstantChatRoute
    }

    async fn view(this: Self) -> AnyView {
        instant_chat_route_view(this).await
    }

    // Hydration waits for this (and expects `view` to be ready at once).
    async fn preload() {
        // Both chunks are downloading already (the `<head>` preloads them).
        #[cfg(feature = "hydrate")]
        {
            __preload_instant_chat_route_view().await;
            super::instant::load_rendered_chat().await;
        }
    }
}
