//! The Roomlink server binary: [`roomlink::server`] serving
//! [`roomlink::pages`]. It is the one place that puts the two together, so
//! the server, below the pages, never imports them.

// The shell's view type (the app with its leptos_i18n words) nests
// deeper than rustc's default limit of 128 lets it lay out in release builds.
#![recursion_limit = "256"]

/// The server's Rust code allocates with mimalloc instead of glibc's
/// malloc. Every request, live event and database statement allocates
/// small short-lived buffers on one thread and often frees them on another;
/// `perf` on the server core put glibc's malloc, free and their
/// consolidation at 12% of it while invite links were accepted (S5 in
/// the load client, `bench/`) and 6% under persisted fan-out (S3). mimalloc keeps
/// free lists per thread and page (<https://github.com/microsoft/mimalloc>).
/// SQLite, being C, still calls glibc's malloc: about 4% of the core in S5.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs [`roomlink::server::run`] on tokio's multi-threaded runtime, then
/// gives the runtime's tasks [`roomlink::limits::SHUTDOWN_REQUESTS_MS`] to
/// end instead of waiting for them without limit as dropping it would.
#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    roomlink::server::main(roomlink::pages::site())
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser bundle has no `main`; it starts from `roomlink::hydrate`.
}
