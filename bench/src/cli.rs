//! `cargo run --release -p roomlink-bench -- [options]`
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
//! large room), `fanout` (S2's rising search alone, without S4, S6 and
//! the large room), `large` (the large room alone), `s3`, `s5`, `nodes`;
//! default all), `--nodes-rate <msg/s>`
//! (the rate two nodes are measured at, when S2 does not run first to give
//! the single node's best), `--idle <rooms>x<members>,…` (S1's sizes
//! instead of the scale's, e.g. `10000x1` to time connects with no
//! presence fan-out). S2 also runs on a bare fan-out server (this program
//! started again as `bench --serve-bare <address>`, see [`super::bare`]),
//! whose figures fill the table's "plain Rust" column; before S2 and S3,
//! this program started as `bench --serve-floor …` measures the kernel's
//! floor on the server's core ([`super::floor`]), the "floor" column.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use super::{
    report::{table, Row},
    runs,
    scenarios::{self, Target},
    Peer,
};

/// Sizes of one run.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scale {
    /// S1: rooms and members per room of the idle tabs, one run per size.
    pub(super) idle: &'static [(usize, usize)],
    /// S1: how long the tabs are held (heartbeats included).
    pub(super) hold: Duration,
    /// S2: rooms and members per room.
    pub(super) fan_out: (usize, usize),
    /// S2: first rate (messages per second), highest rate, length of a step.
    pub(super) rates: (f64, f64, Duration),
    /// S2: members of the one large room, sent one message per second.
    pub(super) large_room: usize,
    /// S5: people, and rooms each of them joins by link.
    pub(super) joining: (usize, usize),
    /// S3: member rooms and members per room.
    pub(super) persisted: (usize, usize),
}

const SMALL: Scale = Scale {
    idle: &[(10, 100)],
    hold: Duration::from_secs(12),
    fan_out: (10, 20),
    rates: (50.0, 20_000.0, Duration::from_secs(2)),
    large_room: 200,
    joining: (20, 3),
    persisted: (20, 10),
};

const FULL: Scale = Scale {
    idle: &[(100, 100), (1_000, 10), (500, 100)],
    hold: Duration::from_secs(25),
    fan_out: (100, 100),
    rates: (100.0, 100_000.0, Duration::from_secs(5)),
    large_room: 5_000,
    joining: (500, 10),
    persisted: (500, 10),
};

/// p99 delivery latency S2 must hold, in milliseconds.
pub(super) const P99_LIMIT_MS: f64 = 100.0;

struct Options {
    scale: Scale,
    pin: bool,
    json: PathBuf,
    roomlink_bin: PathBuf,
    socketio_dir: PathBuf,
    two_nodes: Option<String>,
    /// Scenarios to run (`s1`, `s2`, `fanout`, `large`, `s3`, `s5`, `nodes`); empty: all.
    only: Vec<String>,
    /// The rate two nodes are measured at, if S2 does not give it.
    nodes_rate: Option<f64>,
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
        nodes_rate: None,
    };
    let mut idle = None;
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
            "--nodes-rate" => o.nodes_rate = Some(value()?.parse().map_err(|e| format!("--nodes-rate: {e}"))?),
            "--idle" => idle = Some(idle_sizes(&value()?)?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if let Some(sizes) = idle {
        o.scale.idle = sizes;
    }
    Ok(o)
}

/// Parses `--idle`: sizes such as `100x100,10000x1` (rooms × members).
/// Leaked: one small list per run, read until the process ends.
fn idle_sizes(list: &str) -> Result<&'static [(usize, usize)], String> {
    let size = |item: &str| -> Option<(usize, usize)> {
        let (rooms, members) = item.trim().split_once('x')?;
        Some((rooms.parse().ok().filter(|&n| n > 0)?, members.parse().ok().filter(|&n| n > 0)?))
    };
    let sizes: Option<Vec<(usize, usize)>> = list.split(',').map(size).collect();
    let sizes = sizes.ok_or_else(|| format!("--idle: expected sizes like 100x100,10000x1, got {list}"))?;
    Ok(Box::leak(sizes.into_boxed_slice()))
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

/// A command that runs `program`, on core 0 (through `taskset`) with `pin`.
pub(super) fn on_server_core(program: &str, pin: bool) -> Command {
    if pin {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", program]);
        c
    } else {
        Command::new(program)
    }
}

fn spawn(program: &str, args: &[&str], envs: &[(&str, String)], pin: bool) -> Result<Child, String> {
    let mut command = on_server_core(program, pin);
    command.args(args).stdout(Stdio::null()).stderr(Stdio::inherit());
    for (k, v) in envs {
        command.env(k, v);
    }
    command.spawn().map_err(|e| format!("{program}: {e}"))
}

/// Starts `program` as a server that is to listen on `addr`, and waits
/// until it does (10 s at most); `data` is removed when the server is
/// dropped. Errors: `addr` is taken already (a server left by an earlier
/// run, which would otherwise be measured in place of this one), or the
/// program cannot start, exits, or does not listen in time.
pub(super) async fn start_server(
    program: &str,
    args: &[&str],
    envs: &[(&str, String)],
    pin: bool,
    addr: SocketAddr,
    data: Option<tempfile_dir::Dir>,
) -> Result<Server, String> {
    if let Err(e) = std::net::TcpListener::bind(addr) {
        return Err(format!(
            "{addr} is taken ({e}): is a server from an earlier run still up? `ss -ltnp 'sport = :{port}'` names it",
            port = addr.port()
        ));
    }
    let child = spawn(program, args, envs, pin)?;
    let mut server = Server { child, _data: data };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(server);
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!("{program} exited ({status}) before listening on {addr}"));
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
        // Simulated tabs send far faster than people: no per-socket line limit.
        ("ROOMLINK_LIVE_LINES_PER_SECOND", "0".into()),
        // The set-up signs thousands of people up from this machine.
        ("ROOMLINK_SIGN_UPS_PER_ADDRESS_PER_HOUR", "0".into()),
        ("RUST_LOG", "warn".into()),
    ];
    let bin = o.roomlink_bin.display().to_string();
    start_server(&bin, &[], &envs, o.pin, addr, Some(tempfile_dir::Dir(dir))).await
}

async fn start_socketio(o: &Options, addr: SocketAddr) -> Result<Server, String> {
    let script = o.socketio_dir.join("server.js").display().to_string();
    start_server("node", &[&script], &[("PORT", addr.port().to_string())], o.pin, addr, None).await
}

/// Starts this program again as the bare fan-out server ([`super::bare`]).
async fn start_bare(o: &Options, addr: SocketAddr) -> Result<Server, String> {
    let me = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?;
    start_server(&me.display().to_string(), &["--serve-bare", &addr.to_string()], &[], o.pin, addr, None).await
}

/// Runs the scenarios `o` asks for on both servers; returns the report's rows.
async fn run_all(o: &Options) -> Result<Vec<Row>, String> {
    let roomlink_addr: SocketAddr = ([127, 0, 0, 1], 3310).into();
    let socketio_addr: SocketAddr = ([127, 0, 0, 1], 3311).into();
    let bare_addr: SocketAddr = ([127, 0, 0, 1], 3312).into();
    let roomlink_server = start_roomlink(o, roomlink_addr).await?;
    let socketio_server = start_socketio(o, socketio_addr).await?;
    // With --pin the pid is taskset's until it execs: the same process.
    let roomlink = Target { peer: Peer::Roomlink, server: roomlink_addr, pid: Some(roomlink_server.child.id()) };
    let socketio = Target { peer: Peer::SocketIo, server: socketio_addr, pid: Some(socketio_server.child.id()) };
    let mut rows = Vec::new();
    let mut floor = None;
    if o.runs("s2") || o.runs("fanout") || o.runs("large") || o.runs("s3") {
        let (more, measured) = runs::floor(o.scale, o.pin).await?;
        rows.extend(more);
        floor = Some(measured);
    }
    if o.runs("s1") {
        rows.extend(runs::idle(o.scale, roomlink, socketio).await?);
    }
    let mut single_best = None;
    if o.runs("s2") || o.runs("fanout") || o.runs("large") {
        let bare_server = start_bare(o, bare_addr).await?;
        let bare = Target { peer: Peer::Bare, server: bare_addr, pid: Some(bare_server.child.id()) };
        if o.runs("s2") || o.runs("fanout") {
            let (more, best) = runs::fan_out(o.scale, roomlink, socketio, Some(bare), floor, o.runs("s2")).await?;
            rows.extend(more);
            single_best = best;
        }
        if o.runs("s2") || o.runs("large") {
            rows.push(runs::large_room(o.scale, roomlink, socketio, Some(bare), floor).await?);
        }
    }
    if o.runs("s3") {
        rows.extend(runs::persisted(o.scale, roomlink, floor).await?);
    }
    if o.runs("s5") {
        rows.extend(runs::joining(o.scale, roomlink_addr).await?);
    }
    drop((roomlink_server, socketio_server));
    if let (Some(postgres), true) = (&o.two_nodes, o.runs("nodes")) {
        let s = o.scale;
        eprintln!("Two nodes on PostgreSQL: {rooms}×{members}…", rooms = s.fan_out.0, members = s.fan_out.1);
        let bin = o.roomlink_bin.display().to_string();
        let single_rate = single_best.as_ref().map(|b: &scenarios::FanOutStep| b.sent_per_sec).or(o.nodes_rate);
        let two = super::nodes::two_nodes(&bin, postgres, o.pin, s.fan_out, s.rates, P99_LIMIT_MS, single_rate).await?;
        rows.extend(super::nodes::rows(&two, single_best.as_ref(), s.fan_out));
    }
    Ok(rows)
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, rest @ ..] = args.as_slice() {
        if flag == "--serve-floor" {
            return match super::floor::serve_as_asked(rest) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("bench: {e}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
    }
    if let [flag, addr] = args.as_slice() {
        if flag == "--serve-bare" {
            let served = match addr.parse() {
                Ok(addr) => super::bare::serve(addr).await,
                Err(e) => Err(format!("--serve-bare {addr}: {e}")),
            };
            eprintln!("bench: {}", served.err().unwrap_or_default());
            return std::process::ExitCode::FAILURE;
        }
    }
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match until_stopped(run_all(&o), stop_signal()).await.unwrap_or_else(|why| Err(format!("{why}; the servers it started were stopped"))) {
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

/// Runs `run` until it ends or `stop` resolves ([`stop_signal`] in the
/// load client). On a stop, `run` is dropped, and with it every [`Server`]
/// it started: they are killed and their folders removed, rather than left
/// running to hold their ports. Errors: what `stop` said.
pub(super) async fn until_stopped<F: std::future::Future>(
    run: F,
    stop: impl std::future::Future<Output = &'static str>,
) -> Result<F::Output, &'static str> {
    tokio::select! {
        output = run => Ok(output),
        why = stop => Err(why),
    }
}

/// Resolves when this process is told to stop, Ctrl-C or `kill`'s
/// SIGTERM, with which of the two it was.
async fn stop_signal() -> &'static str {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "interrupted",
        () = terminate => "terminated",
    }
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
