//! The app's routes as lazily loaded pages, in four groups, each a
//! WebAssembly chunk of its own fetched when one of its pages is first
//! opened:
//!
//! - [`EntryPage`]: what someone arriving from a link meets: the join page,
//!   log-in, sign-up (with its recovery codes, and "Forgot password?") and the home page (for someone with no account, the
//!   first three are plain pages that load no code at all: `super::is_plain_page`).
//!   Nothing of the room, the dashboard or the teaching pages.
//! - an instant chat (`instant_view`): its join card and its live chat (a
//!   guest with no account first meets the card as a plain page with no
//!   code, and downloads this once in the chat).
//! - the room (`room_view`): its header, the panels under it and its live
//!   panel.
//! - [`MemberPage`]: the dashboard (invite links, teaching) and the profile.
//!
//! What instant chats share with rooms (the live panel) is a chunk both
//! load.
//!
//! Why groups, not a chunk per page: `wasm-split` makes a chunk for every
//! set of split points that shares code, so ten split points made 95 files,
//! 50 of them for a room, each a request (and a compile) of its own; on a
//! phone's 150 ms round trips, and on every later visit, the count cost
//! more than the bytes it saved. A fifth point for the room's panels alone
//! (sharing and managing links, settings) made 15 files for a room instead
//! of 8: a warm visit about 150 ms slower for 40 KB less (about 170 ms) on
//! a cold one.
//!
//! Each route is a [`LazyRoute`]: on the server it renders its page
//! directly; in a build made with `cargo leptos build --split` its group's
//! view function is split out, the server names the group's chunks in the
//! page's `<head>` as preloads ([`chunk_preloads`]), so they download
//! alongside the main chunk, and `leptos::mount::hydrate_lazy` waits for
//! them (`preload`) before hydrating. Without `--split` (tests, debug
//! builds) it is all one bundle and behaves the same.

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
    /// `/recover`: "Forgot password?".
    Recover,
    /// `/recovery-codes`: a new set of recovery codes, shown once.
    RecoveryCodes,
    /// `/email/confirm/:token`: a link confirming an email address.
    ConfirmEmail,
    /// `/reset-password/:token`: a password-reset link sent by email.
    ResetPassword,
}

/// The pages of the member group (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberPage {
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
        EntryPage::Recover => super::recovery::RecoverPage().into_any(),
        EntryPage::RecoveryCodes => super::recovery::RecoveryCodesPage().into_any(),
        EntryPage::ConfirmEmail => super::email::ConfirmEmailPage().into_any(),
        EntryPage::ResetPassword => super::email::ResetPasswordPage().into_any(),
    }
}

/// The member group's views: one split point for all of them.
#[leptos::lazy]
fn member_view(page: MemberPage) -> AnyView {
    match page {
        MemberPage::Dashboard => super::dashboard::DashboardPage().into_any(),
        MemberPage::Profile => super::profile::ProfilePage().into_any(),
    }
}

/// An instant chat's view: a split point of its own, so that a guest in a
/// chat downloads none of the entry pages.
#[leptos::lazy]
fn instant_view() -> AnyView {
    super::instant::InstantChatPage().into_any()
}

/// The room's view: a split point of its own, so that a phone opening a
/// room downloads neither the dashboard nor the profile.
#[leptos::lazy]
fn room_view() -> AnyView {
    super::room::RoomPage().into_any()
}

/// The group whose chunks the page at `path` needs: the name its split
/// point has in wasm-split's manifest, up to the hash the macro appends
/// (`room_view_17489…`). `None` for paths with no page of ours.
#[cfg(feature = "ssr")]
pub fn chunk_group(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
    match (parent, last) {
        ("", "" | "login" | "signup" | "recover" | "recovery-codes") | ("/join" | "/email/confirm" | "/reset-password", _) => {
            Some("entry_view_")
        }
        ("/rooms", _) => Some("room_view_"),
        ("/instant-chat", _) => Some("instant_view_"),
        ("", "dashboard" | "profile") => Some("member_view_"),
        _ => None,
    }
}

/// `<link rel="preload">` for every chunk of the request's route (and
/// `modulepreload` for wasm-split's loader), for the `<head>`, so they
/// download alongside the main chunk instead of after it has run.
///
/// Leptos names them too, from the lazy functions the page called while
/// it rendered; but for routes rendered with `SsrMode::Async` that list
/// comes out empty about half the time (seen on 0.8.23, cause not traced:
/// of 12 requests of a room page, 4 to 6 came without it; of a
/// dashboard, 6), and the phone then waits for the main chunk to arrive
/// and run before asking for the rest. The browser fetches a file named
/// twice once. Nothing without a `--split` build (no manifest) or outside
/// a request.
pub fn chunk_preloads() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let path = use_context::<axum::http::request::Parts>().map(|parts| parts.uri.path().to_string());
        let group = path.as_deref().and_then(chunk_group);
        let manifest = use_context::<leptos::WasmSplitManifest>();
        let links = group.zip(manifest).and_then(|(group, manifest)| {
            manifest.0.with_value(|(pkg, chunks, loader)| {
                let (_, files) = chunks.iter().find(|(name, _)| name.starts_with(group))?;
                let wasm = files
                    .iter()
                    .map(|file| {
                        view! {
                            <link rel="preload" href=format!("{pkg}/{file}.wasm") r#as="fetch"
                                r#type="application/wasm" crossorigin="" />
                        }
                    })
                    .collect_view();
                Some(view! {
                    {wasm}
                    <link rel="modulepreload" href=format!("{pkg}/{loader}") crossorigin="" />
                })
            })
        });
        links
    }
}

/// Loads the entry group's chunk (hydration waits for a route's `preload`,
/// and expects its `view` to be ready at once).
async fn preload_entry() {
    #[cfg(feature = "hydrate")]
    __preload_entry_view().await;
}

/// Loads an instant chat's chunk.
async fn preload_instant() {
    #[cfg(feature = "hydrate")]
    __preload_instant_view().await;
}

/// Loads the room's chunk.
async fn preload_room() {
    #[cfg(feature = "hydrate")]
    __preload_room_view().await;
}

/// Loads the member group's chunk.
async fn preload_member() {
    #[cfg(feature = "hydrate")]
    __preload_member_view().await;
}

/// Declares `$route`, the lazily loaded route of `$page`, shown by
/// `$view` (the group's view function, given the page if the group has
/// several) once `$preload` has loaded it.
macro_rules! grouped_route {
    ($(#[$doc:meta])* $route:ident => $view:ident($($page:expr)?), $preload:ident) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $view($($page)?).await
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
    /// `/recover`.
    RecoverRoute => entry_view(EntryPage::Recover), preload_entry
);
grouped_route!(
    /// `/recovery-codes`.
    RecoveryCodesRoute => entry_view(EntryPage::RecoveryCodes), preload_entry
);
grouped_route!(
    /// `/email/confirm/:token`.
    ConfirmEmailRoute => entry_view(EntryPage::ConfirmEmail), preload_entry
);
grouped_route!(
    /// `/reset-password/:token`.
    ResetPasswordRoute => entry_view(EntryPage::ResetPassword), preload_entry
);
grouped_route!(
    /// `/join/:token`.
    JoinRoute => entry_view(EntryPage::Join), preload_entry
);
grouped_route!(
    /// `/instant-chat/:id`.
    InstantChatRoute => instant_view(), preload_instant
);
grouped_route!(
    /// `/rooms/:id`.
    RoomRoute => room_view(), preload_room
);
grouped_route!(
    /// `/dashboard`.
    DashboardRoute => member_view(MemberPage::Dashboard), preload_member
);
grouped_route!(
    /// `/profile`.
    ProfileRoute => member_view(MemberPage::Profile), preload_member
);

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::chunk_group;

    #[test]
    fn each_page_names_the_chunks_of_its_own_group() {
        for (path, group) in [
            ("/", Some("entry_view_")),
            ("/login", Some("entry_view_")),
            ("/signup/", Some("entry_view_")),
            ("/join/AbC-12_x", Some("entry_view_")),
            ("/recovery-codes", Some("entry_view_")),
            ("/email/confirm/AbC-12_x", Some("entry_view_")),
            ("/reset-password/AbC-12_x", Some("entry_view_")),
            ("/rooms/12", Some("room_view_")),
            ("/instant-chat/q1w2e3", Some("instant_view_")),
            ("/dashboard", Some("member_view_")),
            ("/profile", Some("member_view_")),
            ("/rooms/12/files/3", None),
            ("/pkg/roomlink.js", None),
            ("/favicon.svg", None),
        ] {
            assert_eq!(chunk_group(path), group, "{path}");
        }
    }
}
