//! The HTTP server loop: hyper, through hyper-util, as `axum::serve` runs
//! it, plus what `axum::serve` cannot set: a time limit on reading each
//! request's line and headers ([`HEADERS_TIME_LIMIT_SECS`], hyper's
//! `header_read_timeout`, which needs a timer that `axum::serve` does not
//! give it), so that a client trickling its headers (Slowloris) is cut off.
//! Each connection also gets `TCP_NODELAY` (see [`no_delay`]) and its
//! peer's address, for axum's `ConnectInfo<SocketAddr>`.

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{
    body::Body,
    extract::{ConnectInfo, Request},
    Extension, Router,
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::net::{TcpListener, TcpStream};
use tower::{Layer, ServiceExt};

use crate::limits::HEADERS_TIME_LIMIT_SECS;

/// Serves `router` on `listener` until `stopping` resolves; then stops
/// accepting, lets every connection finish the request it is on, and
/// returns once they have. Upgraded connections (live sockets) are no
/// longer the server's: the hub closes them (see [`crate::live::hub::Hub::shut_down`]).
pub async fn serve(listener: TcpListener, router: Router, stopping: impl Future<Output = ()>) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(HEADERS_TIME_LIMIT_SECS));
    let graceful = GracefulShutdown::new();
    tokio::pin!(stopping);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, as axum does, rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stopping => break,
        };
        no_delay(&tcp);
        let service = Extension(ConnectInfo::<SocketAddr>(peer))
            .layer(router.clone())
            .map_request(|req: Request<hyper::body::Incoming>| req.map(Body::new));
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service));
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::trace!(error = %e, "a connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// `TCP_NODELAY`: live frames are small, and Nagle's algorithm would hold
/// one back until the previous one is acknowledged (up to 40 ms of delayed
/// ACK on Linux). The load client measured p99 delivery latency of 40 ms at
/// moderate rates without it.
fn no_delay(tcp: &TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
    }
}
