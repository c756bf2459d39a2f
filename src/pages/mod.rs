//! The pages: the app shell, the router and one file per page.
//!
//! Every page renders on the server first (so it shows before the WebAssembly
//! loads and works for link-preview bots) and is then hydrated. Forms post to
//! server functions with `ActionForm`, so they also work without JavaScript:
//! the server then redirects, carrying any error in the URL (`__err`), which
//! [`url_error`] reads back.

mod account_deletion;
mod account_sessions;
mod activity;
mod auth;
mod dashboard;
mod email;
mod errors;
mod format;
mod home;
mod instant;
mod invite_links;
mod join;
mod join_requests;
mod layout;
mod live_view;
mod profile;
mod recovery;
mod room;
mod room_manage;
mod room_owner;
mod routes;
mod share;
mod spaces;
mod teaching;
mod words;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
pub use layout::PageTitle;
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_query_map,
    path, Lazy, SsrMode,
};

use crate::{
    accounts::{deletion::DeleteAccount, email::ResetPassword, get_current_user, recovery::RecoverAccount, CurrentUser, LogIn, LogOut, SignUp},
    error::AppError,
    i18n::{use_locale, I18nContextProvider},
};
pub use errors::ErrorPage;
pub use format::LocalOffset;
#[cfg(feature = "hydrate")]
pub use format::apply_local_offset;

/// The HTML document around the app, rendered on the server.
///
/// A [plain page](is_plain_page) gets no code at all: no WebAssembly, no
/// JavaScript but [`format::LOCAL_TIMES_SCRIPT`], [`KEEP_TYPED_SCRIPT`],
/// [`join_requests::AWAIT_REQUEST_SCRIPT`] and [`recovery::COPY_CODES_SCRIPT`]; `<html data-plain>` says
/// so. Every other page loads its code and marks `<html data-hydrated>`
/// once it is interactive.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let (plain, live) = page_kind();
    let code = (!plain).then(|| {
        // After `HydrationScripts`, which provides the chunk manifest.
        let scripts = view! { <HydrationScripts options=options.clone() /> };
        view! {
            {scripts}
            {routes::chunk_preloads()}
            <script inner_html=EARLY_COMPOSER_SCRIPT></script>
            {live.then(|| view! { <script inner_html=EARLY_SOCKET_SCRIPT></script> })}
        }
    });
    let local_times = plain.then(|| {
        view! {
            <script inner_html=format::LOCAL_TIMES_SCRIPT></script>
            <script inner_html=KEEP_TYPED_SCRIPT></script>
            <script inner_html=join_requests::AWAIT_REQUEST_SCRIPT></script>
            <script inner_html=recovery::COPY_CODES_SCRIPT></script>
        }
    });
    view! {
        <!DOCTYPE html>
        // `lang` (and `dir`) come from the i18n provider in `App`, in the
        // language the page is rendered in.
        <html data-plain=plain.then_some("")>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                {code}
                {local_times}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The pages, as the server mounts them ([`crate::server::Site`]): the
/// [`shell`] around every page and the [`App`].
#[cfg(feature = "ssr")]
pub fn site() -> crate::server::Site {
    crate::server::Site { shell: |options| shell(options).into_any(), app: || App().into_any() }
}

/// Pages that work as plain HTML and load no code (issue 36): the ones a
/// person opens first from a link in a messenger, on a phone, where every
/// kilobyte and every millisecond of a slow CPU is the first impression.
/// Their forms post to server functions and come back with any error in
/// the URL ([`url_error`]), as with JavaScript off; nothing on them needs
/// more. An invite card (`/join/<token>`), log-in and sign-up (and, by who
/// asks rather than by path, an instant chat's join card: see
/// `page_kind`); the two pages of recovery codes, which sign-up leads
/// to and "Forgot password?" opens; and the pages links sent by email open. The pages they lead to load their code
/// as usual.
pub fn is_plain_page(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let token_after = |prefix: &str| path.strip_prefix(prefix).is_some_and(|token| !token.is_empty() && !token.contains('/'));
    matches!(path, "/login" | "/signup" | "/recover" | "/recovery-codes")
        || token_after("/join/")
        || token_after("/email/confirm/")
        || token_after("/reset-password/")
}

/// What the shell needs to know of the request being rendered: whether its
/// page is plain ([`is_plain_page`]; also an instant chat's page for a
/// stranger, with neither an account nor that chat's guest cookie, who can
/// only be shown its join card), and whether it will follow a topic live
/// (a room's page for someone logged in, an instant chat's for someone
/// logged in or holding that chat's guest cookie), so its socket may start
/// early ([`EARLY_SOCKET_SCRIPT`]). `(false, false)` outside a request.
fn page_kind() -> (bool, bool) {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<axum::http::request::Parts>() {
        let path = parts.uri.path();
        let cookies: Vec<&str> = parts.headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).collect();
        let has = |name: &str| cookies.iter().any(|c| c.split(';').any(|pair| pair.trim_start().starts_with(&format!("{name}="))));
        let (live, chat_stranger) = match path.trim_end_matches('/').rsplit_once('/') {
            Some(("/rooms", id)) => (!id.is_empty() && has(crate::accounts::SESSION_COOKIE), false),
            Some(("/instant-chat", id)) if !id.is_empty() => {
                let known = has(crate::accounts::SESSION_COOKIE) || has(&crate::live::guest_identity::cookie_name(id));
                (known, !known)
            }
            _ => (false, false),
        };
        return (is_plain_page(path) || chat_stranger, live);
    }
    (false, false)
}

/// For [plain pages](is_plain_page), whose forms post as forms: what the
/// person typed is kept when the server sends the form back with a refusal
/// (a name taken, a wrong password): on submit the form's visible fields,
/// never a password, go into the tab's `sessionStorage`, and a page that
/// comes back with an error (`__err` in its URL) fills its empty fields from
/// there, once. With JavaScript off the fields come back empty.
pub const KEEP_TYPED_SCRIPT: &str = "(function(){var k='roomlink-typed:'+location.pathname;\
document.addEventListener('submit',function(e){var f=e.target,d={},i,el;if(!f||!f.elements)return;\
for(i=0;i<f.elements.length;i++){el=f.elements[i];if(el.name&&/^(text|email|search|url|tel)$/.test(el.type))d[el.name]=el.value}\
try{sessionStorage.setItem(k,JSON.stringify(d))}catch(x){}},true);\
function back(){var d;try{d=JSON.parse(sessionStorage.getItem(k)||'null');sessionStorage.removeItem(k)}catch(x){}\
if(!d||location.search.indexOf('__err=')<0)return;\
document.querySelectorAll('form input').forEach(function(el){if(el.name in d&&!el.value&&/^(text|email|search|url|tel)$/.test(el.type))el.value=d[el.name]})}\
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',back);else back()})()";

/// A few lines of plain JavaScript in every page's `<head>`, for the
/// seconds before the page's WebAssembly has loaded: "Send" (or Enter) in
/// a room's or chat's composer would otherwise submit the form as a GET and
/// lose the message. Until the composer is marked `data-ready` by
/// `live_view`'s composer, the message is held (the form marked
/// `data-queued`, the text left in the input) and the composer sends it
/// once it has started.
pub const EARLY_COMPOSER_SCRIPT: &str = "(function(){\
function held(f){return f&&f.matches&&f.matches('form.composer')&&!f.hasAttribute('data-ready')}\
document.addEventListener('submit',function(e){if(held(e.target)){e.preventDefault();e.target.setAttribute('data-queued','')}},true);\
document.addEventListener('keydown',function(e){var t=e.target;if(e.key==='Enter'&&!e.shiftKey&&!e.isComposing&&t.id==='composer-input'&&held(t.form)){e.preventDefault();t.form.setAttribute('data-queued','')}},true)\
})()";

/// A few lines of plain JavaScript in the `<head>` of every page with code:
/// on a room's or an instant chat's page, the live socket starts to connect
/// at once, while the page's WebAssembly is still on its way or compiling,
/// instead of once it has run (on a phone the connection's round trips
/// then overlap the code's loading).
///
/// Once the socket is open and the page's HTML is parsed, and if the page
/// shows a live panel (a `form.composer`), the script also subscribes to
/// the page's topic after the newest line the server rendered (the largest
/// `data-id` in `ol.timeline`), the same
/// [`ClientEvent::Subscribe`](crate::live::ClientEvent::Subscribe) the
/// client would send, and keeps every frame the server answers. The live
/// layer's client takes the socket, the frame it sent and the frames it
/// kept over when it starts ([`crate::live::client`]), so the answer to the
/// subscription is usually there before the code is. A socket nobody took
/// within 15 s is closed.
///
/// Shape of `window.__roomlinkSocket` ([`crate::live::EARLY_SOCKET`]):
/// `{ ws: WebSocket, sent: { topic: string, after_id: number } | null,
/// frames: string[] }` (`sent`: the subscription it sent); the path
/// `/live` is [`crate::live::LIVE_PATH`].
pub const EARLY_SOCKET_SCRIPT: &str = "(function(){\
var m=/^\\/(rooms|instant-chat)\\/([^\\/]+)\\/?$/.exec(location.pathname);if(!window.WebSocket||!m)return;\
try{var w=new WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+'/live'),s={ws:w,sent:null,frames:[]};\
window.__roomlinkSocket=s;\
w.onmessage=function(e){s.frames.push(e.data)};\
w.onopen=function(){function go(){var n=0;if(window.__roomlinkSocket!==s||w.readyState!==1||!document.querySelector('form.composer'))return;\
document.querySelectorAll('ol.timeline li[data-id]').forEach(function(li){n=Math.max(n,+li.getAttribute('data-id')||0)});\
s.sent={topic:(m[1]==='rooms'?'room:':'chat:')+m[2],after_id:n};w.send(JSON.stringify({type:'subscribe',topic:s.sent.topic,after_id:n}))}\
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',go);else go()};\
setTimeout(function(){if(window.__roomlinkSocket===s){delete window.__roomlinkSocket;w.close()}},15000)}catch(e){}\
})()";

/// The account actions and the current user, shared by the header and pages.
/// The user is fetched again whenever one of the actions completes.
#[derive(Clone, Copy)]
pub struct Session {
    /// Log-in form action.
    pub log_in: ServerAction<LogIn>,
    /// Sign-up form action.
    pub sign_up: ServerAction<SignUp>,
    /// Log-out form action.
    pub log_out: ServerAction<LogOut>,
    /// "Forgot password?" form action, which logs the browser in.
    pub recover: ServerAction<RecoverAccount>,
    /// "Delete my account" (on the profile): it logs this browser out.
    pub delete_account: ServerAction<DeleteAccount>,
    /// A new password through a link sent by email: it logs this browser in.
    pub reset_password: ServerAction<ResetPassword>,
    /// The logged-in user, or `None`.
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    /// Bumped whenever this tab makes or revokes invite links, so the
    /// header's pending-links badge counts again.
    pub links_changed: RwSignal<u32>,
}

fn provide_session_context() -> Session {
    let log_in = ServerAction::<LogIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let log_out = ServerAction::<LogOut>::new();
    let recover = ServerAction::<RecoverAccount>::new();
    let delete_account = ServerAction::<DeleteAccount>::new();
    let reset_password = ServerAction::<ResetPassword>::new();
    // Pages wait for it; the header reads it without waiting
    // (`layout::Header`): the server sends its value with the page, so the
    // browser hydrates with it at once.
    let user = Resource::new(
        move || {
            // `try_get`: a page load cut off half way may dispose of these first.
            let account = (log_in.version().try_get(), sign_up.version().try_get(), log_out.version().try_get());
            (account, recover.version().try_get(), delete_account.version().try_get(), reset_password.version().try_get())
        },
        |_| get_current_user(),
    );
    let session = Session { log_in, sign_up, log_out, recover, delete_account, reset_password, user, links_changed: RwSignal::new(0) };
    provide_context(session);
    session
}

/// The app: header and routes, whose pages load in chunks by group
/// ([`routes`]).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session_context();
    format::provide_local_offset();
    view! {
        <I18nContextProvider enable_cookie=false ssr_lang_header_getter=accept_language_source()>
        <Title text="Roomlink" />
        <Router>
            <layout::Header />
            <main>
                <Routes fallback=|| view! { <ErrorPage error=AppError::NotFound /> }>
                    <Route path=path!("") view={Lazy::<routes::HomeRoute>::new()} />
                    <Route path=path!("/login") view={Lazy::<routes::LogInRoute>::new()} />
                    <Route path=path!("/signup") view={Lazy::<routes::SignUpRoute>::new()} />
                    <Route path=path!("/recover") view={Lazy::<routes::RecoverRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/email/confirm/:token") view={Lazy::<routes::ConfirmEmailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reset-password/:token") view={Lazy::<routes::ResetPasswordRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/recovery-codes") view={Lazy::<routes::RecoveryCodesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/rooms/:id") view={Lazy::<routes::RoomRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view={Lazy::<routes::DashboardRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/profile") view={Lazy::<routes::ProfileRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/join/:token") view={Lazy::<routes::JoinRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/instant-chat/:id") view={Lazy::<routes::InstantChatRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
        </I18nContextProvider>
    }
}

/// Where leptos_i18n's provider reads the languages the reader accepts: on
/// the server, the language cookie's choice or `Accept-Language`
/// ([`crate::i18n::negotiation::accept_language_for_render`]); in the
/// browser it takes the server's choice from `<html lang>` instead.
fn accept_language_source() -> leptos_i18n::context::UseLocalesOptions {
    let options = leptos_i18n::context::UseLocalesOptions::default();
    #[cfg(feature = "ssr")]
    let options = options.ssr_lang_header_getter(crate::i18n::negotiation::accept_language_for_render);
    options
}

/// The error a form without JavaScript came back with, if it was from the
/// server function at `endpoint` (e.g. `"log_in"`).
pub fn url_error(endpoint: &'static str) -> Memo<Option<AppError>> {
    let query = use_query_map();
    Memo::new(move |_| {
        let query = query.read();
        let path = query.get("__path")?;
        if !path.ends_with(endpoint) {
            return None;
        }
        let encoded = query.get("__err")?;
        Some(leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&encoded))
    })
}

/// The message to show under a form: the action's last error, or the error a
/// form without JavaScript came back with.
pub fn form_error<T>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    endpoint: &'static str,
) -> Signal<Option<String>> {
    let from_url = url_error(endpoint);
    let locale = use_locale();
    Signal::derive(move || match value.get() {
        Some(Err(e)) => Some(e.message(locale)),
        Some(Ok(_)) => None,
        None => from_url.get().map(|e| e.message(locale)),
    })
}

/// Sets the HTTP status, and headers, of a page being rendered on the
/// server that shows `error` ([`AppError::response_head`]: a 429 page
/// says when to try again in `Retry-After`).
pub fn set_error_status(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let (status, header) = error.response_head();
        response.set_status(status);
        if let Some((name, value)) = header {
            response.insert_header(name, value);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}
