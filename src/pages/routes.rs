//! The app's routes as lazily loaded pages, in two groups, each a
//! WebAssembly chunk of its own fetched when one of its pages is first
//! opened:
//!
//! - [`EntryPage`]: what someone arriving from a link meets: the join page,
//!   log-in, sign-up, the home page and an instant chat's join card. A phone
//!   that opens an invite link downloads the app's shell and this, nothing
//!   of the room, the dashboard or the teaching pages.
//! - [`MemberPage`]: the room with its live panel, the dashboard (invite
//!   links, teaching) and the profile.
//!
//! The live chat of an instant chat is a third chunk (`instant::chat_view`),
//! fetched once someone is in the chat; what it shares with rooms (the live
//! panel) is a chunk both load.
//!
//! Why groups, not a chunk per page: `wasm-split` makes a chunk for every
//! set of split points that shares code, so ten split points made 95 files,
//! 50 of them for a room, each a request (and a compile) of its own; on a
//! phone's 150 ms round trips, and on every later visit, the count cost
//! more than the bytes it saved.
//!
//! Each route is a [`LazyRoute`]: on the server it renders its page
//! directly; in a build made with `cargo leptos build --split` its group's
//! view function is split out, the server names the group's chunks in the
//! page's `<head>` as preloads (leptos' `WasmSplitManifest`), so they
//! download alongside the main chunk, and `leptos::mount::hydrate_lazy`
//! waits for them (`preload`) before hydrating. Without `--split` (tests,
//! debug builds) it is all one bundle and behaves the same.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// The pages of the entry group (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryPage {
    /// `/`: the welcome or the person's rooms, spaces and forms.
    Home,
    /// `/login`.
    LogIn,
    /// `/signup`.
    SignUp,
    /// `/join/:token`: the invite card (or a teacher's space invite).
    Join,
    /// `/instant-chat/:id`: the join card, or the live chat (its own chunk).
    InstantChat,
}

/// The pages of the member group (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberPage {
    /// `/rooms/:id`: the room with its live panel and management panels.
    Room,
    /// `/dashboard`: rooms one runs, invite links, teaching.
    Dashboard,
    /// `/profile`.
    Profile,
}

/// The entry group's views: one split point for all of them.
#[leptos::lazy]
fn entry_view(page: EntryPage) -> AnyView {
    match page {
        EntryPage::Home => super::home::HomePage().into_any(),
        EntryPage::LogIn => super::auth::LogInPage().into_any(),
        EntryPage::SignUp => super::auth::SignUpPage().into_any(),
        EntryPage::Join => super::join::JoinPage().into_any(),
        EntryPage::InstantChat => super::instant::InstantChatPage().into_any(),
    }
}

/// The member group's views: one split point for all of them.
#[leptos::lazy]
fn member_view(page: MemberPage) -> AnyView {
    match page {
        MemberPage::Room => super::room::RoomPage().into_any(),
        MemberPage::Dashboard => super::dashboard::DashboardPage().into_any(),
        MemberPage::Profile => super::profile::ProfilePage().into_any(),
    }
}

/// Loads the entry group's chunk (hydration waits for a route's `preload`,
/// and expects its `view` to be ready at once).
async fn preload_entry() {
    #[cfg(feature = "hydrate")]
    {
        __preload_entry_view().await;
        // An instant chat the server rendered with the chat in it: its chunk
        // too (a `Suspense` still loading its code cannot be hydrated). It
        // is downloading already: the `<head>` preloads it.
        super::instant::load_rendered_chat().await;
    }
}

/// Loads the member group's chunk.
async fn preload_member() {
    #[cfg(feature = "hydrate")]
    __preload_member_view().await;
}

/// Declares `$route`, the lazily loaded route of `$page`, shown by
/// `$view` (the group's view function) once `$preload` has loaded it.
macro_rules! grouped_route {
    ($(#[$doc:meta])* $route:ident => $view:ident($page:expr), $preload:ident) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $view($page).await
            }

            async fn preload() {
                $preload().await
            }
        }
    };
}

grouped_route!(
    /// `/`.
    HomeRoute => entry_view(EntryPage::Home), preload_entry
);
grouped_route!(
    /// `/login`.
    LogInRoute => entry_view(EntryPage::LogIn), preload_entry
);
grouped_route!(
    /// `/signup`.
    SignUpRoute => entry_view(EntryPage::SignUp), preload_entry
);
grouped_route!(
    /// `/join/:token`.
    JoinRoute => entry_view(EntryPage::Join), preload_entry
);
grouped_route!(
    /// `/instant-chat/:id`.
    InstantChatRoute => entry_view(EntryPage::InstantChat), preload_entry
);
grouped_route!(
    /// `/rooms/:id`.
    RoomRoute => member_view(MemberPage::Room), preload_member
);
grouped_route!(
    /// `/dashboard`.
    DashboardRoute => member_view(MemberPage::Dashboard), preload_member
);
grouped_route!(
    /// `/profile`.
    ProfileRoute => member_view(MemberPage::Profile), preload_member
);
