//! The two-node mode (issue 7): two Roomlink processes on one PostgreSQL
//! database, each room's tabs split between them, so that every delivery
//! crosses PostgreSQL's `LISTEN`/`NOTIFY` (the sender's own node gets its
//! lines back the same way) and half of them reach a tab on the other node.
//! `--two-nodes <postgres URL>` turns it on; a fresh database is made beside
//! the one the URL names and dropped afterwards.

use std::{net::SocketAddr, time::Duration};

use sqlx::{Connection, Executor, PgConnection};

use super::{
    cli::{start_server, Server},
    report::Row,
    scenarios::{self, best, Held, Target},
    Peer,
};

/// What the two-node run measured.
pub struct TwoNodes {
    /// The S2 step at the single node's highest held rate.
    pub at_single_rate: Option<scenarios::FanOutStep>,
    /// The best S2 step that held on two nodes.
    pub best: Option<scenarios::FanOutStep>,
}

/// A database made for the run, dropped when the run ends.
struct Database {
    admin_url: String,
    name: String,
    url: String,
}

async fn make_database(base: &str) -> Result<Database, String> {
    let mut admin = PgConnection::connect(base).await.map_err(|e| format!("--two-nodes: {e}"))?;
    let name = format!("roomlink_bench_{}", std::process::id());
    let _ = admin.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
    admin.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.map_err(|e| format!("CREATE DATABASE: {e}"))?;
    let mut url = url::Url::parse(base).map_err(|e| format!("--two-nodes: {e}"))?;
    url.set_path(&name);
    Ok(Database { admin_url: base.to_string(), name, url: url.to_string() })
}

impl Database {
    async fn drop_it(self) {
        if let Ok(mut admin) = PgConnection::connect(&self.admin_url).await {
            let _ = admin.execute(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name).as_str()).await;
        }
    }
}

async fn start_node(bin: &str, addr: SocketAddr, db: &Database, data: &std::path::Path, pin: bool) -> Result<Server, String> {
    let envs = [
        ("ROOMLINK_ADDRESS", addr.to_string()),
        ("DATABASE_URL", db.url.clone()),
        ("ROOMLINK_DATA_DIR", data.display().to_string()),
        ("ROOMLINK_SECRET", "bench-two-nodes-secret-of-32-bytes-or-more".into()),
        ("ROOMLINK_INSTANT_CHAT_MAX_PARTICIPANTS", "10000".into()),
        // Simulated tabs send far faster than people: no per-socket line limit.
        ("ROOMLINK_LIVE_LINES_PER_SECOND", "0".into()),
        // The set-up signs thousands of people up from this machine.
        ("ROOMLINK_SIGN_UPS_PER_ADDRESS_PER_HOUR", "0".into()),
        ("RUST_LOG", "warn".into()),
    ];
    start_server(bin, &[], &envs, pin, addr, None).await
}

/// Runs S2 on two nodes: first at `single_rate` (the single node's highest
/// held rate), then the same rising search as one node.
pub async fn two_nodes(
    bin: &str,
    postgres: &str,
    pin: bool,
    (rooms, members): (usize, usize),
    (start, max, step): (f64, f64, Duration),
    p99_limit_ms: f64,
    single_rate: Option<f64>,
) -> Result<TwoNodes, String> {
    let db = make_database(postgres).await?;
    let data = std::env::temp_dir().join(format!("roomlink-bench-nodes-{}", std::process::id()));
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let run = async {
        let (a, b): (SocketAddr, SocketAddr) = (([127, 0, 0, 1], 3312).into(), ([127, 0, 0, 1], 3313).into());
        let node_a = start_node(bin, a, &db, &data, pin).await?;
        let node_b = start_node(bin, b, &db, &data, pin).await?;
        let target = |server, child: &Server| Target { peer: Peer::Roomlink, server, pid: Some(child.child.id()) };
        let fleet = scenarios::open_fleet_across([target(a, &node_a), target(b, &node_b)], rooms, members).await?;
        let steps = scenarios::fan_out(&fleet, start, max, step, p99_limit_ms, Held::Delivery).await;
        // Last, as it may be past what two nodes hold; after the backlog drains.
        let at_single_rate = match single_rate {
            Some(rate) => {
                settle(&fleet).await;
                let st = scenarios::drive(&fleet, rate, step).await;
                eprintln!("  at one node's best, {:>9.0} msg/s: p50 {:.1} ms, p99 {:.1} ms, missing {}", st.sent_per_sec, st.p50_ms, st.p99_ms, st.missing);
                Some(st)
            }
            None => None,
        };
        fleet.close().await;
        drop((node_a, node_b));
        Ok::<_, String>(TwoNodes { at_single_rate, best: best(&steps, p99_limit_ms, Held::Delivery).cloned() })
    };
    let result = run.await;
    db.drop_it().await;
    let _ = std::fs::remove_dir_all(&data);
    result
}

/// Waits (up to 60 s) until no delivery has arrived for 2 s.
async fn settle(fleet: &scenarios::Fleet) {
    let mut last = fleet.recorder.deliveries();
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = fleet.recorder.deliveries();
        if now == last {
            return;
        }
        last = now;
    }
}

/// The report's rows for the two-node run, beside the single node's best step.
pub fn rows(two: &TwoNodes, single: Option<&scenarios::FanOutStep>, (rooms, members): (usize, usize)) -> Vec<Row> {
    let at = two.at_single_rate.as_ref();
    let one = |f: fn(&scenarios::FanOutStep) -> f64| single.map_or("-".to_string(), |s| format!("{:.1}", f(s)));
    vec![
        Row::new(format!("Two nodes {rooms}×{members}: msg/s at the single node's best rate"), "1/s", at.map(|s| s.sent_per_sec), None),
        Row::new(format!("Two nodes: p50 at that rate (one node: {} ms)", one(|s| s.p50_ms)), "ms", at.map(|s| s.p50_ms), None),
        Row::new(format!("Two nodes: p99 at that rate (one node: {} ms)", one(|s| s.p99_ms)), "ms", at.map(|s| s.p99_ms), None)
            .target("< 50 ms", at.map(|s| s.p99_ms < 50.0 && s.missing == 0)),
        Row::new("Two nodes: deliveries missing at that rate", "", at.map(|s| s.missing as f64), None),
        Row::new(
            format!("Two nodes: deliveries/s at p99 ≤ 100 ms (one node: {})", one(|s| s.deliveries_per_sec)),
            "1/s",
            two.best.as_ref().map(|s| s.deliveries_per_sec),
            None,
        ),
    ]
}
