//! The load client (its own crate, `roomlink-bench`): drives a real Roomlink server, and the
//! Socket.IO 4.8 reference server in `bench/peers/socketio/`, through their
//! real protocols, and measures both the same way.
//!
//! - [`tab`]: one simulated browser tab = one WebSocket, speaking either
//!   Roomlink's live protocol ([`roomlink::live::ClientEvent`]) or Socket.IO
//!   (Engine.IO v4 framing: open, connect, event, ping/pong). Every message
//!   body carries its send time; every receiver records send-to-receive
//!   latency, one histogram entry per delivery ([`Recorder`]).
//! - [`setup`]: what a scenario needs on the Roomlink side, made through the
//!   real endpoints: instant chats started and joined by guests, users
//!   signed up, invite links made and accepted.
//! - [`scenarios`]: S1 idle hold, S2 fan-out, S4 typing storm, S5 joining
//!   (issue 6); [`persisted`]: S3, member rooms whose lines are stored
//!   before they go out; [`storm`]: S6 reconnect storm.
//! - [`bare`]: a plain Rust WebSocket fan-out server, S2's third column.
//! - [`floor`]: the kernel's floor, bare `write` calls to loopback sockets
//!   on the server's core: what no server could pass on this machine.
//! - [`runs`]: each scenario on both servers, as rows of the report;
//!   [`report`]: the side-by-side table and the JSON.
//! - [`cli`]: the `cargo run --release -p roomlink-bench` command, which
//!   starts both servers (pinned to their own core with `taskset` when asked).
//!
//! Connections are spread over the loopback source addresses 127.0.0.2,
//! 127.0.0.3, …, so that more than the ~28k ephemeral ports of one address
//! fit, and so that per-address rate limits (starting chats, accepting
//! invites) meet many "people" as they would in production.

pub mod bare;
pub mod cli;
pub mod floor;
pub mod nodes;
pub mod persisted;
pub mod report;
pub mod runs;
pub mod scenarios;
pub mod setup;
pub mod storm;
pub mod tab;

use std::{
    net::{IpAddr, Ipv4Addr},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, OnceLock,
    },
    time::Instant,
};

use hdrhistogram::Histogram;

/// Which server a tab talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Peer {
    /// Roomlink's `/live` WebSocket.
    Roomlink,
    /// The Socket.IO reference server.
    SocketIo,
    /// The plain Rust fan-out server ([`bare`]), spoken to as Socket.IO.
    Bare,
}

impl Peer {
    /// The name tables show.
    pub fn name(self) -> &'static str {
        match self {
            Peer::Roomlink => "Roomlink",
            Peer::SocketIo => "Socket.IO",
            Peer::Bare => "the plain Rust server",
        }
    }
}

/// Nanoseconds since the load client's first call: the clock message
/// stamps use (one process, so one monotonic clock for sender and receiver).
pub fn now_ns() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// The body of a benchmark message: its send time, `@t=<ns>@`.
pub fn stamp(ns: u64) -> String {
    format!("@t={ns}@")
}

/// The send time in a frame carrying a [`stamp`], if any.
pub fn stamp_in(frame: &str) -> Option<u64> {
    let start = frame.find("@t=")? + 3;
    let end = start + frame[start..].find('@')?;
    frame[start..end].parse().ok()
}

/// The `n`th loopback source address: 127.0.0.2, 127.0.0.3, … 127.0.0.254,
/// then 127.0.1.2 and on.
pub fn source_address(n: usize) -> IpAddr {
    let (hi, lo) = (n / 253, n % 253);
    IpAddr::V4(Ipv4Addr::new(127, 0, (hi % 256) as u8, (lo + 2) as u8))
}

/// Send-to-receive latencies of every delivery, in microseconds, sharded so
/// that thousands of tabs record without queueing on one lock.
pub struct Recorder {
    shards: Vec<Mutex<Histogram<u64>>>,
    deliveries: AtomicU64,
}

/// Shards of a [`Recorder`].
const SHARDS: usize = 32;
/// Largest latency recorded, in microseconds (60 s); larger ones are clamped.
const MAX_LATENCY_US: u64 = 60_000_000;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).unwrap_or_else(|e| panic!("fixed histogram bounds are valid: {e}"))
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder { shards: (0..SHARDS).map(|_| Mutex::new(histogram())).collect(), deliveries: AtomicU64::new(0) }
    }
}

impl Recorder {
    /// Records one delivery of a message sent at `sent_ns` (see [`now_ns`]),
    /// from tab number `tab` (which picks the shard).
    pub fn record(&self, tab: usize, sent_ns: u64) {
        let us = (now_ns().saturating_sub(sent_ns) / 1_000).clamp(1, MAX_LATENCY_US);
        let mut shard = self.shards[tab % SHARDS].lock().unwrap_or_else(|p| p.into_inner());
        let _ = shard.record(us);
        self.deliveries.fetch_add(1, Ordering::Relaxed);
    }

    /// Deliveries recorded so far.
    pub fn deliveries(&self) -> u64 {
        self.deliveries.load(Ordering::Relaxed)
    }

    /// Forgets everything recorded (between the steps of a scenario).
    pub fn reset(&self) {
        for shard in &self.shards {
            shard.lock().unwrap_or_else(|p| p.into_inner()).reset();
        }
        self.deliveries.store(0, Ordering::Relaxed);
    }

    /// Everything recorded, as one histogram.
    pub fn merged(&self) -> Histogram<u64> {
        let mut all = histogram();
        for shard in &self.shards {
            let _ = all.add(&*shard.lock().unwrap_or_else(|p| p.into_inner()));
        }
        all
    }
}

/// Latency quantiles of a histogram, in milliseconds: (p50, p99, p99.9).
pub fn quantiles_ms(h: &Histogram<u64>) -> (f64, f64, f64) {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1_000.0;
    (ms(0.5), ms(0.99), ms(0.999))
}

/// Clock ticks per second of `/proc/<pid>/stat`'s times (`USER_HZ`, which
/// Linux fixes at 100 for user space on x86_64 and arm64).
const CLOCK_TICKS_PER_SEC: f64 = 100.0;

/// CPU time process `pid` has used so far, user and system, in seconds,
/// from `/proc/<pid>/stat` (fields 14 and 15, counted after the command
/// name, which may hold spaces). Resolution: 10 ms.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut after_name = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    // After the name: state is field 3, so utime (14) is the 12th.
    let utime: u64 = after_name.nth(11)?.parse().ok()?;
    let stime: u64 = after_name.next()?.parse().ok()?;
    Some((utime + stime) as f64 / CLOCK_TICKS_PER_SEC)
}

/// Resident memory of process `pid` in bytes, from `/proc/<pid>/status`.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip_inside_any_frame() {
        let frame = format!(r#"{{"type":"message","message":{{"body":"{}","client_id":"a"}}}}"#, stamp(123_456));
        assert_eq!(stamp_in(&frame), Some(123_456));
        assert_eq!(stamp_in(&format!(r#"42["message","{}"]"#, stamp(7))), Some(7));
        assert_eq!(stamp_in(r#"{"type":"typing_diff","topic":"room:1","started":[],"stopped":[4]}"#), None);
    }

    #[test]
    fn this_process_has_used_cpu_and_uses_more_when_it_works() {
        let me = std::process::id();
        let before = cpu_seconds(me).expect("/proc/<pid>/stat reads");
        let start = std::time::Instant::now();
        let mut x = 0u64;
        // Busy until the count moves (other tests share the cores, so wall time says little).
        while cpu_seconds(me).unwrap() < before + 0.05 {
            assert!(start.elapsed() < std::time::Duration::from_secs(20), "20 s of work and the CPU time did not move");
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        assert_eq!(cpu_seconds(u32::MAX), None, "no such process");
    }

    #[test]
    fn source_addresses_skip_network_and_broadcast() {
        assert_eq!(source_address(0).to_string(), "127.0.0.2");
        assert_eq!(source_address(252).to_string(), "127.0.0.254");
        assert_eq!(source_address(253).to_string(), "127.0.1.2");
    }
}
