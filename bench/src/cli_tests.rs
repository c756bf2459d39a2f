//! Starting and stopping the servers the load client measures.

use super::{spawn, start_server, until_stopped, Server};

#[tokio::test]
async fn stopping_the_load_client_stops_the_servers_it_started() {
    let child = spawn("sleep", &["60"], &[], false).unwrap();
    let pid = child.id();
    let (ready, started) = tokio::sync::oneshot::channel();
    let (stop, stopping) = tokio::sync::oneshot::channel::<&'static str>();
    let run = async move {
        let _server = Server { child, _data: None };
        let _ = ready.send(());
        std::future::pending::<()>().await
    };
    let stopped = tokio::spawn(until_stopped(run, async move { stopping.await.unwrap_or("dropped") }));
    started.await.unwrap();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    // What Ctrl-C or `kill <load client>` does (see `stop_signal`).
    stop.send("terminated").unwrap();
    assert_eq!(stopped.await.unwrap(), Err("terminated"));
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "the server outlived the load client");
}

#[tokio::test]
async fn a_taken_port_is_refused_rather_than_measured() {
    // Something listens already, as a server left by an earlier run would.
    let left = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = left.local_addr().unwrap();
    let err = start_server("true", &[], &[], false, addr, None).await.err().expect("a taken port must be refused");
    assert!(err.contains("is taken"), "{err}");
}

#[tokio::test]
async fn a_server_that_exits_is_reported() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let err = start_server("false", &[], &[], false, addr, None).await.err().expect("nothing listens");
    assert!(err.contains("exited"), "{err}");
}
