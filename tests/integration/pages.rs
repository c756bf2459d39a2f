//! Pages as browsers load them, including loads cut off half way.

use std::time::Duration;

use reqwest::header;

use crate::support::TestServer;

/// People leave pages before they finish loading: they click on, close the
/// tab, or hold reload. Each cut-off load drops that request's reactive
/// owner while the page's data (server functions run by resources) and its
/// `<Suspense>` effects may still be running on other worker threads. Here
/// 1,500 page loads of every kind are cut off at random points on a server
/// with two worker threads; then the server's runtime must shut down, which
/// it cannot while a worker is stuck.
///
/// Ignored: it fails in about 1 run in 3, on two deadlocks inside Leptos 0.8
/// (reactive_graph 0.2.16), in code Roomlink does not control, both seen in `gdb`:
/// - `Owner::with_context` walks up the owners and drops its handle on a
///   parent while it holds a lock on the owner it started from; when that
///   handle was the last (the request's owner let go meanwhile), the drop
///   cleans up the owners below and waits for that same lock. Our own
///   context reads hold every owner above them first
///   ([`roomlink::context::hold_owners`]); Leptos' own reads (`<A>` resolving
///   its path) do not.
/// - A resource finishing on one thread holds its lock and waits for the
///   Suspense effect's; the effect, running on the other, holds its own and
///   waits for the resource's (leptos-rs/leptos#4673, open).
///
/// Running Leptos' tasks on one thread of their own removed the second but
/// turned the first into a hang of every page, so it was not kept. Run with
/// `cargo test --features ssr --lib tests::pages -- --ignored`.
#[test]
#[ignore = "fails about 1 run in 3 on deadlocks inside Leptos 0.8; see the doc comment"]
fn page_loads_cut_off_half_way_leave_no_worker_stuck() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let s = TestServer::start().await;
            let ana = s.user("ana").await;
            let room = ana.create_room("Book club").await;
            let join = format!("/join/{}", ana.invite(room).await);
            for i in 0..1_500 {
                // Half from new visitors, each on a connection of their own.
                let visitor = s.client();
                let who = if i % 2 == 0 { &ana } else { &visitor };
                let path = match i % 4 {
                    0 => "/dashboard".to_string(),
                    1 => format!("/rooms/{room}"),
                    2 => "/".to_string(),
                    _ => join.clone(),
                };
                let mut page = who.http.get(s.url(&path)).header(header::ACCEPT, "text/html").send().await.unwrap();
                if i % 3 == 1 {
                    let _ = page.chunk().await;
                }
                drop(page);
            }
            // The last cut-off loads finish (or fail) on the server.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let (status, body) = s.client().page(&join).await;
            assert!(status.is_success() && body.contains("Book club"), "{status}: {body}");
        });
        drop(runtime); // waits for both worker threads
        let _ = done.send(());
    });
    finished
        .recv_timeout(Duration::from_secs(90))
        .expect("a worker thread never finished: a cut-off page load deadlocked it");
}
