//! What every request handler and server function reaches, below the
//! features and above the live layer: the shared state ([`AppState`]),
//! the request's context, the runtime settings ([`settings`]), the rate
//! limiters ([`rate_limits`]), the client's address ([`client_address`]) and
//! whether a request comes from this server's own pages ([`origin`]).
//!
//! The server ([`crate::server`]) builds these and mounts the features'
//! routes; the features read them here, so no feature imports the server.

pub mod client_address;
pub mod mail;
pub mod origin;
pub mod rate_limits;
pub mod settings;

use std::sync::Arc;

use axum::{extract::FromRef, http::header};
use leptos::{config::LeptosOptions, prelude::*};

use crate::{
    error::AppError,
    live::{
        guest_identity::GuestKeys,
        LiveParts,
        timeline::{memory::MemoryLines, Timeline},
    },
    live::hub::Hub,
    store::Store,
};
pub use settings::Settings;

/// What every request handler and server function can reach: one shared
/// [`AppStateFields`], behind an `Arc`. Fields read through it (`state.store`).
///
/// Cloning is one reference count: axum clones the state for every
/// middleware that takes it, and Leptos for every context read. Cloning the
/// fields themselves (Leptos' options are a dozen shared strings, the store
/// its pools and caches) cost 6% of the server core while invite links were
/// accepted (`perf`, S5 in `crate::bench`).
#[derive(Clone)]
pub struct AppState(Arc<AppStateFields>, Arc<LiveParts>);

/// The fields of [`AppState`].
pub struct AppStateFields {
    /// Leptos' own options (site root, output name).
    pub leptos_options: LeptosOptions,
    /// The database.
    pub store: Store,
    /// The live fan-out hub.
    pub hub: Arc<Hub>,
    /// Runtime settings.
    pub settings: Arc<Settings>,
    /// The keys that sign and check guest cookies of instant chats.
    pub guest_keys: Arc<GuestKeys>,
    /// Lines of instant chats without history (memory only).
    pub memory: Arc<MemoryLines>,
    /// Rate limiters.
    pub rate_limits: Arc<rate_limits::RateLimits>,
    /// Roomlink's mail, when SMTP is set up (`None`: no email options).
    pub mailer: Option<Arc<mail::Mailer>>,
}

impl AppState {
    /// The state of one server, shared by everything it runs.
    pub fn new(shared: AppStateFields) -> AppState {
        let live = LiveParts {
            hub: shared.hub.clone(),
            store: shared.store.clone(),
            memory: shared.memory.clone(),
            guest_keys: shared.guest_keys.clone(),
            lines_per_second: shared.settings.live_lines_per_second,
            idle_timeout_secs: shared.settings.live_idle_timeout_secs,
            uploads: settings::uploads_dir(&shared.settings.data_dir),
        };
        AppState(Arc::new(shared), Arc::new(live))
    }

    /// What the live socket works with, shared by every connection.
    pub fn live(&self) -> Arc<LiveParts> {
        self.1.clone()
    }
}

impl AppStateFields {
    /// The timeline service over this server's hub, store and in-memory
    /// lines: the one road for a line ([`crate::live::timeline`]).
    pub fn timeline(&self) -> Timeline<'_> {
        Timeline::new(&self.hub, &self.store, &self.memory)
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateFields;

    fn deref(&self) -> &AppStateFields {
        &self.0
    }
}

/// leptos_axum's routes and file handler take Leptos' options from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// The app state inside a server function. Errors: [`AppError::Internal`]
/// (logged) when called outside a request, which is a bug.
pub fn state() -> Result<AppState, AppError> {
    request_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

/// `use_context::<T>()` for server code: the value of type `T` the request
/// provided, read with [`hold_owners`] held, as it must be from anything a
/// page's resources may run.
pub fn request_context<T: Clone + 'static>() -> Option<T> {
    let _alive = hold_owners();
    use_context::<T>()
}

/// Adds `Set-Cookie: value` to the answer the server function or page is
/// making. Returns false (and logs, naming `what`) outside a request or for
/// a value that is not a valid header, which is a bug.
pub fn set_cookie(value: &str, what: &str) -> bool {
    match (request_context::<leptos_axum::ResponseOptions>(), axum::http::HeaderValue::from_str(value)) {
        (Some(response), Ok(value)) => {
            response.append_header(axum::http::header::SET_COOKIE, value);
            true
        }
        _ => {
            tracing::error!(cookie = what, "could not set a cookie");
            false
        }
    }
}

/// Handles on the current reactive owner and every owner above it, up to the
/// request's: hold them while reading the request's context from a server
/// function, and drop them after.
///
/// Why: a page's data is loaded by server functions that resources run on
/// any worker thread, while the page load itself may be cut off (a click
/// away, a closed tab) on another. Reading context walks up the owners,
/// taking a handle on each parent in turn and dropping it for the next while
/// it still holds a lock on the owner it started from. If the request's
/// owner was let go meanwhile, that walk's handle is the last one: dropping
/// it cleans up the owners below, including the one whose lock the walk
/// holds, and the thread deadlocks on itself for good (reactive_graph 0.2.16,
/// `Owner::with_context`; seen in `gdb`, see `tests::pages`). With these held
/// the walk never drops the last one; the owners go when the returned `Vec`
/// is dropped, with no lock held. Empty outside a reactive owner.
pub fn hold_owners() -> Vec<Owner> {
    let mut owners = Vec::new();
    let mut next = Owner::current();
    while let Some(owner) = next {
        next = owner.parent();
        owners.push(owner);
    }
    owners
}

/// The origin people reach this server at, without a trailing slash: the
/// configured `public_origin`, else the current request's `Host`.
pub fn public_origin(settings: &Settings) -> String {
    let parts = request_context::<axum::http::request::Parts>();
    origin_for(settings, parts.as_ref().map(|p| &p.headers))
}

/// [`public_origin`] for a request outside Leptos: from `headers`' `Host`.
pub fn origin_for(settings: &Settings, headers: Option<&axum::http::HeaderMap>) -> String {
    let configured = settings.public_origin.trim_end_matches('/');
    if !configured.is_empty() {
        return configured.to_string();
    }
    let host = headers
        .and_then(|h| h.get(header::HOST)?.to_str().ok().map(str::to_owned))
        .unwrap_or_else(|| settings.address.to_string());
    let scheme = if settings.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}
