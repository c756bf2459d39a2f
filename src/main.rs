//! The Roomlink server binary. All of it lives in [`roomlink::server`].

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    roomlink::server::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser bundle has no `main`; it starts from `roomlink::hydrate`.
}
