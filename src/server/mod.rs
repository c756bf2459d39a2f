//! The server, the composition root: it builds the shared state
//! ([`AppState`], [`crate::context`]), the axum router with its middleware
//! and the features' routes, and starts up.
//!
//! [`app`] builds the whole router from settings, so tests run the real
//! server in-process on a port of their own; [`run`] is what `main` calls.

pub mod api_status;
pub mod assets;
pub mod csrf;
pub mod panics;
pub mod rate_limit;
pub mod live_route;
pub mod request_limits;
mod serve;

use std::{net::SocketAddr, process::ExitCode, sync::Arc};

use axum::{
    http::{header, HeaderValue},
    middleware,
    routing::{get, post},
    Router,
};
use leptos::{config::LeptosOptions, prelude::*};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::{cookie::SameSite, session_store::ExpiredDeletion, Expiry, SessionManagerLayer};

use crate::{
    attachments::http as attachments,
    clock::now_ms,
    context::{rate_limits::RateLimits, AppState, Settings, AppStateFields},
    instant::{qr, ssr::start_sweeper},
    live::{guest_identity::GuestKeys, timeline::memory::MemoryLines},
    limits::SESSION_IDLE_DAYS,
    live::{hub::Hub, LIVE_PATH},
    store::Store,
};
pub use serve::serve;

/// The pages the server serves, handed to it by the layer above
/// (`crate::pages::site`), so that the server mounts the pages without
/// depending on them: the HTML document around every page, and the app
/// with its routes (both type-erased, rendered on the server only).
#[derive(Clone, Copy)]
pub struct Site {
    /// The HTML document around a page, from Leptos' options.
    pub shell: fn(LeptosOptions) -> AnyView,
    /// The app: the router and its pages.
    pub app: fn() -> AnyView,
}

/// Builds the router: pages, server functions, the live socket, static files
/// (precompressed and cached, [`assets`]), compression, sessions, cross-site
/// checks and security headers. Opens the database, runs migrations and
/// removes upload files a crash left behind
/// ([`crate::attachments::sweep`]). Errors: a message for the operator.
pub async fn app(settings: Settings, leptos_options: LeptosOptions, site: Site) -> Result<Router, String> {
    Ok(app_with_state(settings, leptos_options, site).await?.0)
}

/// [`app`], and the state it shares, for [`run`] to shut the live layer down
/// with. On PostgreSQL, also starts this node's [`crate::live::bus::Bus`].
pub async fn app_with_state(settings: Settings, leptos_options: LeptosOptions, site: Site) -> Result<(Router, AppState), String> {
    let store = Store::open(&settings.database_url).await.map_err(|e| e.to_string())?;
    store.users().fill_skeletons().await.map_err(|e| format!("username look-alike keys: {e}"))?;
    let hub = Arc::new(Hub::new());
    let memory = Arc::new(MemoryLines::with_lines_cap((settings.instant_memory_mib as usize) << 20));
    if store.backend() == crate::store::Backend::Postgres {
        let bus = crate::live::bus::Bus::start(&settings.database_url, hub.clone(), store.clone(), memory.clone()).await?;
        hub.attach_bus(bus);
    }
    let sessions = store.sessions();
    tokio::spawn(sessions.clone().continuously_delete_expired(tokio::time::Duration::from_secs(3600)));
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name(crate::accounts::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::days(SESSION_IDLE_DAYS)));

    let guest_keys = GuestKeys::load(&settings.data_dir)?;
    let mailer = crate::context::mail::Mailer::from_settings(&settings)?.map(Arc::new);
    let state = AppState::new(AppStateFields {
        mailer,
        leptos_options,
        store,
        hub,
        guest_keys: Arc::new(guest_keys),
        memory,
        rate_limits: Arc::new(RateLimits::new(&settings)),
        settings: Arc::new(settings),
    });
    let uploads = crate::attachments::http::uploads_dir(&state.settings.data_dir);
    // Other nodes sharing the folder may be mid-upload: leave their recent files.
    let min_age = match state.store.backend() {
        crate::store::Backend::Sqlite => std::time::Duration::ZERO,
        crate::store::Backend::Postgres => std::time::Duration::from_secs(crate::limits::STRAY_UPLOAD_MIN_AGE_SECS),
    };
    crate::attachments::sweep::sweep_stray_files(&state.store, &uploads, min_age).await.map_err(|e| format!("uploads clean-up: {e}"))?;
    start_sweeper(state.clone(), std::time::Duration::from_secs(state.settings.instant_chat_sweep_secs.into())).await;
    {
        let hub = state.hub.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                tick.tick().await;
                hub.expire_typing();
            }
        });
    }
    {
        let limits = state.rate_limits.clone();
        let store = state.store.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                limits.forget_idle();
                let window_ms = (crate::limits::LOGIN_WINDOW_SECS * 1000) as i64;
                if let Err(e) = store.users().delete_old_login_attempts(now_ms() - window_ms).await {
                    tracing::warn!(error = %e, "deleting old log-in attempt counts");
                }
            }
        });
    }
    let provide_state = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let routes = page_routes(site);
    let site_root = std::path::Path::new(state.leptos_options.site_root.as_ref());
    let pkg_dir = site_root.join(state.leptos_options.site_pkg_dir.as_ref());
    // A path that is neither a route nor a file: the app's 404 page.
    let note_account = middleware::from_fn_with_state(state.clone(), crate::accounts::ssr::note_account_for_render);
    let not_found = axum::handler::Handler::with_state(
        axum::handler::Handler::layer(
            leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide_state.clone(), site.shell),
            note_account.clone(),
        ),
        state.clone(),
    );
    // The pages, each told who it is for before it renders.
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, provide_state.clone(), {
            let options = state.leptos_options.clone();
            move || (site.shell)(options.clone())
        })
        .route_layer(note_account);
    let router = Router::new()
        .route(LIVE_PATH, get(live_route::live_handler))
        .route(qr::QR_ROUTE, get(qr::qr_handler))
        .route(crate::accounts::ACCOUNT_DATA_PATH, get(crate::accounts::export::export_handler))
        .route(crate::accounts::recovery::RECOVERY_CODES_FILE_PATH, get(crate::accounts::recovery::ssr::codes_file_handler))
        .route(crate::invites::qr::QR_ROUTE, get(crate::invites::qr::qr_handler))
        .route(attachments::UPLOAD_ROUTE, post(attachments::upload_handler))
        .route(attachments::SERVE_ROUTE, get(attachments::serve_handler))
        .route(crate::instant::files::UPLOAD_ROUTE, post(crate::instant::files::upload_handler))
        .route(crate::instant::files::SERVE_ROUTE, get(crate::instant::files::serve_handler))
        .merge(pages)
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), assets::pkg_files(&pkg_dir, state.leptos_options.hash_files))
        .fallback_service(assets::site_files(site_root, not_found))
        .layer(middleware::from_fn(api_status::error_status))
        .layer(middleware::from_fn(request_limits::limit_calls))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::refuse_cross_site))
        .layer(middleware::from_fn_with_state(state.clone(), crate::accounts::ssr::keep_session_alive))
        .layer(session_layer)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            // Invite tokens are in URLs: never hand them to other sites.
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(assets::compression())
        .with_state(state.clone());
    Ok((router, state))
}

/// The page routes, worked out once per process and reused by every server
/// built in it.
///
/// While Leptos works them out (`generate_route_list` runs the app once), it
/// stops resources from loading in the whole process (leptos_router's
/// `RouteList::generate` holds `SuppressResourceLoad`, a process-wide flag),
/// and a resource first polled in that window never loads: a page another
/// server in the same process was rendering at that moment would never finish
/// (leptos-rs/leptos#4773). The tests run many servers in one process, each
/// starting while others serve pages, so the routes are made before the first
/// of them serves anything and never again.
///
/// One process serves one [`Site`]: the first call's is the one kept.
pub fn page_routes(site: Site) -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(site.app)).clone()
}

/// The server process: [`run`] on tokio's multi-threaded runtime, which
/// then gets [`crate::limits::SHUTDOWN_REQUESTS_MS`] for its tasks to end
/// (dropping it would wait for a stuck one without limit). Exit code as
/// [`run`]'s, or 1 when no runtime can be built.
pub fn main(site: Site) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run(site));
    runtime.shutdown_timeout(std::time::Duration::from_millis(crate::limits::SHUTDOWN_REQUESTS_MS));
    code
}

/// Runs the server until Ctrl-C or SIGTERM, then closes every live
/// connection with 1001 ("going away") so tabs reconnect, to another node
/// when there are several, and tells the other nodes. Logs with `tracing`
/// (`RUST_LOG` filters). Exit code 1 when it cannot start.
pub async fn run(site: Site) -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    panics::install(|_| true);

    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let address = settings.address;
    let (router, state) = match app_with_state(settings, crate::context::settings::leptos_options(address), site).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match listen(address) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on {address}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("Roomlink is running at http://{address}");
    let hub = state.hub.clone();
    let (stopped, told_to_stop) = tokio::sync::oneshot::channel::<()>();
    let stopping = async move {
        shutdown_signal().await;
        hub.shut_down(std::time::Duration::from_millis(crate::limits::SHUTDOWN_GRACE_MS)).await;
        let _ = stopped.send(());
    };
    let serving = serve(listener, router, stopping);
    let requests_left = async {
        if told_to_stop.await.is_ok() {
            tokio::time::sleep(std::time::Duration::from_millis(crate::limits::SHUTDOWN_REQUESTS_MS)).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = serving => {}
        () = requests_left => {
            tracing::warn!(ms = crate::limits::SHUTDOWN_REQUESTS_MS, "requests still running after the shutdown grace; stopping anyway");
        }
    };
    // Lines committed after their sender was answered ("joined") are saved before the runtime ends.
    state.store.settle_writes().await;
    ExitCode::SUCCESS
}

/// Listens on `address` with room for [`crate::limits::LISTEN_BACKLOG`]
/// connections waiting to be accepted. Like the standard library's `bind`,
/// it sets `SO_REUSEADDR`, so a restarted server gets its port back at once.
/// Errors: the address is taken or cannot be bound.
pub fn listen(address: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if address.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(crate::limits::LISTEN_BACKLOG)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
