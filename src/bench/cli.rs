//! `cargo run --release --features bench --example bench -- [options]`
//! (`scripts/bench.sh` builds what it needs and runs it): starts Roomlink
//! and the Socket.IO reference, runs the scenarios against both, prints the
//! table and writes the JSON.
//!
//! Options: `--scale small|full` (default full), `--pin` (server on core 0,
//! via `taskset`; run the client itself on core 1), `--json <file>`
//! (default `bench/results.json`), `--roomlink-bin <path>` (default
//! `target/release/roomlink`), `--socketio-dir <dir>` (default
//! `bench/peers/socketio`), `--two-nodes <postgres URL>` (also S2 on two
//! Roomlink nodes on PostgreSQL, see [`super::nodes`]), `--only <list>`
//! (some scenarios only, comma-separated: `s1`, `s2` (with S4, S6 and the
//! large room), `s3`, `s5`, `nodes`; default all).

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use super::{
    persisted::ACK_P99_LIMIT_MS,
    report::{table, Row},
    scenarios::{self, best, Held, Target},
    Peer,
};

/// Sizes of one run.
#[derive(Debug, Clone, Copy)]
struct Scale {
    /// S1: rooms and members per room of the idle tabs.
    idle: (usize, usize),
    /// S1: how long the tabs are held (heartbeats included).
    hold: Duration,
    /// S2: rooms and members per room.
    fan_out: (usize, usize),
    /// S2: first rate (messages per second), highest rate, length of a step.
    rates: (f64, f64, Duration),
    /// S2: members of the one large room, sent one message per second.
    large_room: usize,
    /// S5: people, and rooms each of them joins by link.
    joining: (usize, usize),
    /// S3: member rooms and members per room.
    persisted: (usize, usize),
}

const SMALL: Scale = Scale {
    idle: (10, 100),
    hold: Duration::from_secs(12),
    fan_out: (10, 20),
    rates: (50.0, 20_000.0, Duration::from_secs(2)),
    large_room: 200,
    joining: (20, 3),
    persisted: (20, 10),
};

const FULL: Scale = Scale {
    idle: (100, 100),
    hold: Duration::from_secs(25),
    fan_out: (100, 100),
    rates: (100.0, 100_000.0, Duration::from_secs(5)),
    large_room: 5_000,
    joining: (500, 10),
    persisted: (500, 10),
};

/// p99 delivery latency S2 must hold, in milliseconds.
const P99_LIMIT_MS: f64 = 100.0;

struct Options {
    scale: Scale,
    pin: bool,
    json: PathBuf,
    roomlink_bin: PathBuf,
    socketio_dir: PathBuf,
    two_nodes: Option<String>,
    /// Scenarios to run (`s1`, `s2`, `s3`, `s5`, `nodes`); empty: all.
    only: Vec<String>,
}

impl Options {
    /// Whether scenario `name` runs.
    fn runs(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        scale: FULL,
        pin: false,
        json: "bench/results.json".into(),
        roomlink_bin: "target/release/roomlink".into(),
        socketio_dir: "bench/peers/socketio".into(),
        two_nodes: None,
        only: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--scale" => o.scale = if value()? == "small" { SMALL } else { FULL },
            "--pin" => o.pin = true,
            "--json" => o.json = value()?.into(),
            "--roomlink-bin" => o.roomlink_bin = value()?.into(),
            "--socketio-dir" => o.socketio_dir = value()?.into(),
            "--two-nodes" => o.two_nodes = Some(value()?),
            "--only" => o.only = value()?.split(',').map(|s| s.trim().to_lowercase()).collect(),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

/// A server process, killed when dropped.
pub(super) struct Server {
    pub(super) child: Child,
    pub(super) _data: Option<tempfile_dir::Dir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary folder for Roomlink's database and files, removed when dropped.
pub(super) mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub(super) fn spawn(program: &str, args: &[&str], envs: &[(&str, String)], pin: bool) -> Result<Child, String> {
    let mut command = if pin {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", program]);
        c
    } else {
        Command::new(program)
    };
    command.args(args).stdout(Stdio::null()).stderr(Stdio::inherit());
    for (k, v) in envs {
        command.env(k, v);
    }
    command.spawn().map_err(|e| format!("{program}: {e}"))
}

pub(super) async fn wait_listening(addr: SocketAddr) -> Result<(), String> {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("nothing listens on {addr} after 10 s"))
}

async fn start_roomlink(o: &Options, addr: SocketAddr) -> Result<Server, String> {
    let dir = std::env::temp_dir().join(format!("roomlink-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let envs = [
        ("ROOMLINK_ADDRESS", addr.to_string()),
        ("ROOMLINK_DATABASE_URL", format!("sqlite://{}/bench.db", dir.display())),
        ("ROOMLINK_DATA_DIR", dir.display().to_string()),
        ("ROOMLINK_INSTANT_CHAT_MAX_PARTICIPANTS", "10000".into()),
        ("RUST_LOG", "warn".into()),
    ];
    let bin = o.roomlink_bin.display().to_string();
    let child = spawn(&bin, &[], &envs, o.pin)?;
    let server = Server { child, _data: Some(tempfile_dir::Dir(dir)) };
    wait_listening(addr).await?;
    Ok(server)
}

async fn start_socketio(o: &Options, addr: SocketAddr) -> Result<Server, String> {
    let script = o.socketio_dir.join("server.js").display().to_string();
    let child = spawn("node", &[&script], &[("PORT", addr.port().to_string())], o.pin)?;
    let server = Server { child, _data: None };
    wait_listening(addr).await?;
    Ok(server)
}

/// Runs the scenarios `o` asks for on both servers; returns the report's rows.
async fn run_all(o: &Options) -> Result<Vec<Row>, String> {
    let roomlink_addr: SocketAddr = ([127, 0, 0, 1], 3310).into();
    let socketio_addr: SocketAddr = ([127, 0, 0, 1], 3311).into();
    let roomlink_server = start_roomlink(o, roomlink_addr).await?;
    let socketio_server = start_socketio(o, socketio_addr).await?;
    // With --pin the pid is taskset's until it execs: the same process.
    let roomlink = Target { peer: Peer::Roomlink, server: roomlink_addr, pid: Some(roomlink_server.child.id()) };
    let socketio = Target { peer: Peer::SocketIo, server: socketio_addr, pid: Some(socketio_server.child.id()) };
    let mut rows = Vec::new();
    if o.runs("s1") {
        rows.extend(idle_rows(o.scale, roomlink, socketio).await?);
    }
    let mut single_best = None;
    if o.runs("s2") {
        let (more, best) = fan_out_rows(o.scale, roomlink, socketio).await?;
        rows.extend(more);
        single_best = best;
    }
    if o.runs("s3") {
        rows.extend(persisted_rows(o.scale, roomlink_addr).await?);
    }
    if o.runs("s5") {
        let (users, rooms) = o.scale.joining;
        eprintln!("S5: {users} people accept {rooms} links each…");
        let j = scenarios::joining(roomlink_addr, users, rooms).await?;
        rows.push(
            Row::new(format!("S5 invite accepts ({} through the endpoint)", j.accepts), "1/s", Some(j.accepts_per_sec), None)
                .target("≥ 5,000/s", Some(j.accepts_per_sec >= 5_000.0)),
        );
    }
    drop((roomlink_server, socketio_server));
    if let (Some(postgres), true) = (&o.two_nodes, o.runs("nodes")) {
        let s = o.scale;
        eprintln!("Two nodes on PostgreSQL: {rooms}×{members}…", rooms = s.fan_out.0, members = s.fan_out.1);
        let bin = o.roomlink_bin.display().to_string();
        let single_rate = single_best.as_ref().map(|b: &scenarios::FanOutStep| b.sent_per_sec);
        let two = super::nodes::two_nodes(&bin, postgres, o.pin, s.fan_out, s.rates, P99_LIMIT_MS, single_rate).await?;
        rows.extend(super::nodes::rows(&two, single_best.as_ref(), s.fan_out));
    }
    Ok(rows)
}

/// S1 on both servers.
async fn idle_rows(s: Scale, roomlink: Target, socketio: Target) -> Result<Vec<Row>, String> {
    let (rooms, members) = s.idle;
    eprintln!("S1: {} idle tabs on each server…", rooms * members);
    let r1 = scenarios::idle_hold(roomlink, rooms, members, s.hold).await?;
    let s1 = scenarios::idle_hold(socketio, rooms, members, s.hold).await?;
    let kib = |v: Option<f64>| v.map(|b| b / 1024.0);
    let r_kib = kib(r1.rss_per_connection);
    Ok(vec![
        Row::new(format!("S1 {} tabs: held after {} s", r1.connections, s.hold.as_secs()), "tabs", Some(r1.held as f64), Some(s1.held as f64)),
        Row::new("S1 server memory per idle connection", "KiB", r_kib, kib(s1.rss_per_connection))
            .target("≤ 16 KiB", r_kib.map(|k| k <= 16.0)),
        Row::new("S1/S5 WebSocket connect+auth+subscribe", "1/s", Some(r1.connects_per_sec), Some(s1.connects_per_sec))
            .target("≥ 5,000/s", Some(r1.connects_per_sec >= 5_000.0)),
    ])
}

/// S2 (with S4 and S6 on the same tabs, then the large room) on both
/// servers; also Roomlink's best S2 step, for the two-node run.
async fn fan_out_rows(s: Scale, roomlink: Target, socketio: Target) -> Result<(Vec<Row>, Option<scenarios::FanOutStep>), String> {
    let mut rows = Vec::new();
    let (rooms, members) = s.fan_out;
    let (start, max, step) = s.rates;
    let mut best_of = Vec::new();
    let mut storms = Vec::new();
    let mut reconnects = Vec::new();
    for target in [roomlink, socketio] {
        eprintln!("S2: {rooms}×{members} on {}…", target.peer.name());
        let mut fleet = scenarios::open_fleet(target, rooms, members).await?;
        let steps = scenarios::fan_out(&fleet, start, max, step, P99_LIMIT_MS, Held::Delivery).await;
        print_steps(&steps);
        let held = best(&steps, P99_LIMIT_MS, Held::Delivery).cloned();
        if let Some(held) = &held {
            eprintln!("S4: half that rate, quiet then with half the tabs typing…");
            tokio::time::sleep(Duration::from_secs(2)).await;
            storms.push(Some(scenarios::typing_storm(&fleet, held.sent_per_sec / 2.0, step).await));
        } else {
            storms.push(None);
        }
        best_of.push(held);
        eprintln!("S6: {} tabs drop at once and come back…", rooms * (members - 1));
        tokio::time::sleep(Duration::from_secs(2)).await;
        reconnects.push(super::storm::reconnect_storm(&mut fleet, rooms as f64).await?);
        fleet.close().await;
    }
    let (rb, sb) = (best_of[0].clone(), best_of[1].clone());
    let r_dps = rb.as_ref().map(|b| b.deliveries_per_sec);
    let s_dps = sb.as_ref().map(|b| b.deliveries_per_sec);
    rows.push(
        Row::new(format!("S2 {rooms}×{members}: deliveries/s at p99 ≤ 100 ms"), "1/s", r_dps, s_dps)
            .target("≥ 3× Socket.IO", r_dps.zip(s_dps).map(|(r, s)| r >= 3.0 * s)),
    );
    for (name, pick) in [("p50", 0), ("p99", 1), ("p99.9", 2)] {
        let q = |b: &Option<scenarios::FanOutStep>| b.as_ref().map(|b| [b.p50_ms, b.p99_ms, b.p999_ms][pick]);
        rows.push(Row::new(format!("S2 {rooms}×{members}: {name} at that rate"), "ms", q(&rb), q(&sb)));
    }
    let rise = |storm: &Option<(scenarios::FanOutStep, scenarios::FanOutStep)>| {
        storm.as_ref().map(|(quiet, typing)| (typing.p99_ms / quiet.p99_ms.max(0.001) - 1.0) * 100.0)
    };
    let storm_p99 = |storm: &Option<(scenarios::FanOutStep, scenarios::FanOutStep)>| storm.as_ref().map(|(_, t)| t.p99_ms);
    rows.push(Row::new("S4 typing storm: message p99 with half typing", "ms", storm_p99(&storms[0]), storm_p99(&storms[1])));
    let r_rise = rise(&storms[0]);
    rows.push(
        Row::new("S4 typing storm: message p99 rise", "%", r_rise, rise(&storms[1]))
            .target("≤ 10%", r_rise.map(|r| r <= 10.0)),
    );
    let mut large = Vec::new();
    for target in [roomlink, socketio] {
        eprintln!("S2: 1 room of {} on {}…", s.large_room, target.peer.name());
        let fleet = scenarios::open_fleet(target, 1, s.large_room).await?;
        large.push(scenarios::drive(&fleet, 1.0, Duration::from_secs(10)).await);
        fleet.close().await;
    }
    rows.push(
        Row::new(format!("S2 1×{}: p99 at 1 msg/s", s.large_room), "ms", Some(large[0].p99_ms), Some(large[1].p99_ms))
            .target("≤ 20 ms", Some(large[0].p99_ms <= 20.0 && large[0].missing == 0)),
    );
    let (r6, s6) = (&reconnects[0], &reconnects[1]);
    rows.push(Row::new(format!("S6 {} tabs dropped: all back after", r6.dropped), "s", Some(r6.back_secs), Some(s6.back_secs)));
    rows.push(Row::new("S6 every message at every tab after", "s", r6.caught_up_secs, s6.caught_up_secs));
    rows.push(
        Row::new("S6 deliveries lost across the reconnect", "", Some(r6.missing as f64), Some(s6.missing as f64))
            .target("0", Some(r6.missing == 0)),
    );
    rows.push(
        Row::new("S6 deliveries shown twice", "", Some(r6.duplicates as f64), Some(s6.duplicates as f64))
            .target("0", Some(r6.duplicates == 0)),
    );
    Ok((rows, rb))
}

/// S3 on Roomlink (the Socket.IO reference keeps nothing): member rooms,
/// every line stored before it is published, the rate raised until
/// send-to-acknowledgement p99 passes 25 ms.
async fn persisted_rows(s: Scale, server: SocketAddr) -> Result<Vec<Row>, String> {
    let (rooms, members) = s.persisted;
    let (start, max, step) = s.rates;
    eprintln!("S3: {rooms} member rooms of {members}, every line stored before it goes out…");
    let fleet = super::persisted::open_member_rooms(server, rooms, members).await?;
    let steps = scenarios::fan_out(&fleet, start, max, step, ACK_P99_LIMIT_MS, Held::Ack).await;
    print_steps(&steps);
    fleet.close().await;
    let held = best(&steps, ACK_P99_LIMIT_MS, Held::Ack);
    let accepted = held.map(|b| b.acked_per_sec);
    Ok(vec![
        Row::new(format!("S3 {rooms}×{members} stored: messages/s in at ack p99 ≤ 25 ms"), "1/s", accepted, None)
            .target("≥ 10,000/s", Some(accepted.is_some_and(|a| a >= 10_000.0))),
        Row::new("S3 send-to-ack p99 at that rate", "ms", held.map(|b| b.ack_p99_ms), None),
        Row::new("S3 delivery p99 at that rate", "ms", held.map(|b| b.p99_ms), None),
    ])
}

/// Prints each step of a rising search as it went.
pub(super) fn print_steps(steps: &[scenarios::FanOutStep]) {
    for st in steps {
        eprintln!(
            "  {:>9.0} msg/s → {:>10.0} deliveries/s, p99 {:.1} ms, ack p99 {:.1} ms, missing {}",
            st.sent_per_sec, st.deliveries_per_sec, st.p99_ms, st.ack_p99_ms, st.missing
        );
    }
}

/// Raises this process's open-file limit as far as allowed (children inherit it).
fn raise_file_limit() {
    let want = 1 << 20;
    if rlimit::setrlimit(rlimit::Resource::NOFILE, want, want).is_err() {
        let _ = rlimit::increase_nofile_limit(u64::MAX);
    }
}

/// Cores of the machine (not only those this process may run on, which
/// `taskset` narrows), from `/proc/cpuinfo`.
fn machine_cores() -> usize {
    std::fs::read_to_string("/proc/cpuinfo").map_or(0, |info| info.lines().filter(|l| l.starts_with("processor")).count())
}

/// The command's entry point; the process's exit code.
pub async fn main() -> std::process::ExitCode {
    raise_file_limit();
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match run_all(&o).await {
        Ok(rows) => {
            println!("{}", table(&rows));
            let json = serde_json::json!({
                "machine": { "cores": machine_cores(), "pinned": o.pin },
                "rows": rows,
            });
            match std::fs::write(&o.json, serde_json::to_string_pretty(&json).unwrap_or_default()) {
                Ok(()) => eprintln!("figures written to {}", o.json.display()),
                Err(e) => eprintln!("bench: cannot write {}: {e}", o.json.display()),
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
