//! Each scenario run on the servers under test, as rows of the report
//! (see [`super::cli`] for the command and [`super::scenarios`] for what
//! each measures).

use std::{net::SocketAddr, time::Duration};

use super::{
    cli::{Scale, P99_LIMIT_MS},
    floor::Floor,
    persisted::ACK_P99_LIMIT_MS,
    report::Row,
    scenarios::{self, best, Held, Target},
};

/// Files kept free beside S1's tabs (listeners, the database, HTTP set-up).
const FILES_SPARE: u64 = 500;

/// How long the large room's tabs are left after they are all in, before
/// the first message: twice the longest presence window
/// ([`roomlink::limits::PRESENCE_BATCH_MAX_MS`]).
const ARRIVALS_SETTLE: Duration = Duration::from_millis(2 * roomlink::limits::PRESENCE_BATCH_MAX_MS);

/// Rounds of the kernel's floor (the median is taken).
const FLOOR_ROUNDS: usize = 21;
/// Payload of the floor's frame, in bytes: about a Roomlink line's frame in
/// S2 (`{"type":"message","message":{"id":…,"topic":"chat:…",…}}` with a
/// guest's name, stamp and client id comes to about 200).
const FLOOR_PAYLOAD_BYTES: usize = 200;

/// The kernel's floor ([`super::floor`]), with as many sockets as the large
/// room has members (on core 0 with `pin`): its rows, and the figures for
/// the floor column of S2's and S3's rows.
pub(super) async fn floor(s: Scale, pin: bool) -> Result<(Vec<Row>, Floor), String> {
    let sockets = s.large_room;
    eprintln!("Floor: one core writes a {FLOOR_PAYLOAD_BYTES}-byte frame to each of {sockets} sockets, {FLOOR_ROUNDS} times…");
    let f = super::floor::measure(pin, ([127, 0, 0, 1], 3313).into(), sockets, FLOOR_ROUNDS, FLOOR_PAYLOAD_BYTES).await?;
    eprintln!("  {:.2} ms a round (median), {:.2} µs a write, {:.0} writes/s", f.round_ms, f.per_write_us(), f.writes_per_sec);
    let rows = vec![
        Row::new(format!("Floor: one core writes a frame to each of {} sockets", f.sockets), "ms", None, None).floor(Some(f.round_ms)),
        Row::new("Floor: frames one core writes per second", "1/s", None, None).floor(Some(f.writes_per_sec)),
    ];
    Ok((rows, f))
}

/// S1 on both servers, at each size that fits in the file limit (see
/// [`idle_plan`]).
pub(super) async fn idle(s: Scale, roomlink: Target, socketio: Target) -> Result<Vec<Row>, String> {
    // Every tab is a file on both sides; the servers inherit this process's limit.
    let files = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(0, |(soft, _)| soft);
    let mut rows = Vec::new();
    for plan in idle_plan(s.idle, files) {
        match plan {
            IdlePlan::Skip { tabs } => {
                eprintln!("S1: {tabs} tabs skipped: this process may open {files} files (raise the hard limit, ulimit -Hn, as a user with CAP_SYS_RESOURCE)");
                rows.push(Row::new(format!("S1 {tabs} tabs: not run, the file limit is {files}"), "tabs", None, None).target(format!("{tabs} held"), None));
            }
            IdlePlan::Run { rooms, members, fresh } => rows.extend(idle_size(roomlink, socketio, rooms, members, s.hold, fresh).await?),
        }
    }
    Ok(rows)
}

/// What S1 does at one of its sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdlePlan {
    /// Open and hold `rooms × members` tabs; `fresh` when no size ran
    /// before on the same servers.
    Run { rooms: usize, members: usize, fresh: bool },
    /// This many tabs do not fit in the file limit.
    Skip { tabs: usize },
}

/// S1's sizes as run under a limit of `files` open files per process
/// (each tab is a file on both sides, plus [`FILES_SPARE`]). A size that
/// does not fit is skipped, and the most tabs that fit in rooms of its
/// size run in its place when that is more than every size before it, so
/// the table still shows how far this machine holds.
fn idle_plan(sizes: &[(usize, usize)], files: u64) -> Vec<IdlePlan> {
    let mut plan = Vec::new();
    let mut largest_run = 0;
    for &(rooms, members) in sizes {
        let tabs = rooms * members;
        let rooms = if (tabs as u64) + FILES_SPARE > files {
            plan.push(IdlePlan::Skip { tabs });
            let fitting = (files.saturating_sub(FILES_SPARE) / members.max(1) as u64) as usize;
            if fitting * members <= largest_run {
                continue;
            }
            fitting
        } else {
            rooms
        };
        plan.push(IdlePlan::Run { rooms, members, fresh: largest_run == 0 });
        largest_run = largest_run.max(rooms * members);
    }
    plan
}

/// One size of S1 on both servers, as rows. Only a `fresh` server's
/// growth is memory per connection: after a first size, the allocator
/// keeps what those tabs freed and reuses it, so a later size reports the
/// server's whole memory over its tabs instead (an upper bound).
async fn idle_size(roomlink: Target, socketio: Target, rooms: usize, members: usize, hold: Duration, fresh: bool) -> Result<Vec<Row>, String> {
    let n = rooms * members;
    eprintln!("S1: {n} idle tabs on each server…");
    let r1 = scenarios::idle_hold(roomlink, rooms, members, hold).await?;
    let s1 = scenarios::idle_hold(socketio, rooms, members, hold).await?;
    let kib = |v: Option<f64>| v.map(|b| b / 1024.0);
    let shape = format!("{n} tabs ({rooms}×{members})");
    let mut rows = vec![Row::new(format!("S1 {shape}: held after {} s", hold.as_secs()), "tabs", Some(r1.held as f64), Some(s1.held as f64))];
    if fresh {
        let r_kib = kib(r1.rss_per_connection);
        rows.push(
            Row::new(format!("S1 {shape}: server memory per idle connection"), "KiB", r_kib, kib(s1.rss_per_connection))
                .target("≤ 16 KiB", r_kib.map(|k| k <= 16.0)),
        );
    } else {
        let whole = |h: &scenarios::IdleHold| kib(h.rss_bytes.map(|b| b as f64 / n.max(1) as f64));
        rows.push(Row::new(format!("S1 {shape}: server's whole memory over its tabs"), "KiB", whole(&r1), whole(&s1)));
    }
    rows.push(
        Row::new(format!("S1/S5 {shape}: WebSocket connect+auth+subscribe"), "1/s", Some(r1.connects_per_sec), Some(s1.connects_per_sec))
            .target("≥ 5,000/s", Some(r1.connects_per_sec >= 5_000.0)),
    );
    rows.push(Row::new(format!("S1/S5 {shape}: server CPU per connect"), "µs", r1.cpu_per_connect_us, s1.cpu_per_connect_us));
    Ok(rows)
}

/// S2 (with S4 and S6 on the same tabs when `with_storms`) on both
/// servers; also Roomlink's best S2 step, for the two-node run.
/// With `bare`, S2 also runs on the bare fan-out server, whose figures go
/// in the rows' "plain Rust" column; with `floor`, the kernel's floor
/// fills the "floor" column: writes per second for deliveries per second.
pub(super) async fn fan_out(
    s: Scale,
    roomlink: Target,
    socketio: Target,
    bare: Option<Target>,
    floor: Option<Floor>,
    with_storms: bool,
) -> Result<(Vec<Row>, Option<scenarios::FanOutStep>), String> {
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
        let held = best(&steps, P99_LIMIT_MS, Held::Delivery).cloned();
        if !with_storms {
            best_of.push(held);
            fleet.close().await;
            continue;
        }
        if let Some(held) = &held {
            eprintln!("S4: half that rate, quiet then with half the tabs typing…");
            tokio::time::sleep(Duration::from_secs(2)).await;
            let rounds = super::storm::typing_storm(&fleet, held.sent_per_sec / 2.0, step, super::storm::TYPING_STORM_ROUNDS).await;
            for (quiet, typing) in &rounds {
                eprintln!("  quiet p99 {:.2} ms, typing p99 {:.2} ms", quiet.p99_ms, typing.p99_ms);
            }
            storms.push(medians(&rounds));
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
    let mut plain = None;
    if let Some(bare) = bare {
        eprintln!("S2: {rooms}×{members} on {}…", bare.peer.name());
        let fleet = scenarios::open_fleet(bare, rooms, members).await?;
        let steps = scenarios::fan_out(&fleet, start, max, step, P99_LIMIT_MS, Held::Delivery).await;
        plain = best(&steps, P99_LIMIT_MS, Held::Delivery).cloned();
        fleet.close().await;
    }
    let r_dps = rb.as_ref().map(|b| b.deliveries_per_sec);
    let s_dps = sb.as_ref().map(|b| b.deliveries_per_sec);
    rows.push(
        Row::new(format!("S2 {rooms}×{members}: deliveries/s at p99 ≤ 100 ms"), "1/s", r_dps, s_dps)
            .target("≥ 3× Socket.IO", r_dps.zip(s_dps).map(|(r, s)| r >= 3.0 * s))
            .plain(plain.as_ref().map(|b| b.deliveries_per_sec))
            .floor(floor.map(|f| f.writes_per_sec)),
    );
    for (name, pick) in [("p50", 0), ("p99", 1), ("p99.9", 2)] {
        let q = |b: &Option<scenarios::FanOutStep>| b.as_ref().map(|b| [b.p50_ms, b.p99_ms, b.p999_ms][pick]);
        rows.push(Row::new(format!("S2 {rooms}×{members}: {name} at that rate"), "ms", q(&rb), q(&sb)).plain(q(&plain)));
    }
    let cpu = |b: &Option<scenarios::FanOutStep>| b.as_ref().and_then(|b| b.server_cpu_per_delivery_us);
    rows.push(Row::new(format!("S2 {rooms}×{members}: server CPU per delivery at that rate"), "µs", cpu(&rb), cpu(&sb)).plain(cpu(&plain)));
    if !with_storms {
        return Ok((rows, rb));
    }
    let rise = |storm: &Option<(f64, f64)>| storm.map(|(quiet, typing)| (typing / quiet.max(0.001) - 1.0) * 100.0);
    let rounds = super::storm::TYPING_STORM_ROUNDS;
    rows.push(Row::new(format!("S4 typing storm: message p99 quiet (median of {rounds})"), "ms", storms[0].map(|s| s.0), storms[1].map(|s| s.0)));
    rows.push(Row::new(format!("S4 typing storm: message p99 half typing (median of {rounds})"), "ms", storms[0].map(|s| s.1), storms[1].map(|s| s.1)));
    let r_rise = rise(&storms[0]);
    rows.push(
        Row::new("S4 typing storm: message p99 rise", "%", r_rise, rise(&storms[1]))
            .target("≤ 10%", r_rise.map(|r| r <= 10.0)),
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
/// send-to-acknowledgement p99 passes 25 ms. With `floor`, the "floor"
/// column holds the messages per second whose deliveries alone (one to
/// each member, the sender's acknowledgement among them) fill the core.
pub(super) async fn persisted(s: Scale, server: Target, floor: Option<Floor>) -> Result<Vec<Row>, String> {
    let (rooms, members) = s.persisted;
    let (start, max, step) = s.rates;
    eprintln!("S3: {rooms} member rooms of {members}, every line stored before it goes out…");
    let mut fleet = super::persisted::open_member_rooms(server.server, rooms, members).await?;
    fleet.server_pids.extend(server.pid);
    let steps = scenarios::fan_out(&fleet, start, max, step, ACK_P99_LIMIT_MS, Held::Ack).await;
    fleet.close().await;
    let held = best(&steps, ACK_P99_LIMIT_MS, Held::Ack);
    let accepted = held.map(|b| b.acked_per_sec);
    Ok(vec![
        Row::new(format!("S3 {rooms}×{members} stored: messages/s in at ack p99 ≤ 25 ms"), "1/s", accepted, None)
            .target("≥ 10,000/s", Some(accepted.is_some_and(|a| a >= 10_000.0)))
            .floor(floor.map(|f| f.writes_per_sec / members as f64)),
        Row::new("S3 send-to-ack p99 at that rate", "ms", held.map(|b| b.ack_p99_ms), None),
        Row::new("S3 delivery p99 at that rate", "ms", held.map(|b| b.p99_ms), None),
        Row::new("S3 server CPU per delivery at that rate", "µs", held.and_then(|b| b.server_cpu_per_delivery_us), None),
    ])
}

/// S5 on Roomlink: invite links accepted through the endpoint.
pub(super) async fn joining(s: Scale, server: SocketAddr) -> Result<Vec<Row>, String> {
    let (users, rooms) = s.joining;
    eprintln!("S5: {users} people accept {rooms} links each…");
    let j = scenarios::joining(server, users, rooms).await?;
    Ok(vec![
        Row::new(format!("S5 invite accepts ({} through the endpoint)", j.accepts), "1/s", Some(j.accepts_per_sec), None)
            .target("≥ 5,000/s", Some(j.accepts_per_sec >= 5_000.0)),
        Row::new("S5 the same, until every \"joined\" line reached the owner", "1/s", Some(j.announced_per_sec), None),
    ])
}

/// S2's one large room at one message a second, on both servers and (with
/// `bare`) the plain Rust server; with `floor` of as many sockets, the
/// "floor" column holds 99% of one round of writes to them (the 99th
/// recipient in a hundred cannot be written to sooner).
pub(super) async fn large_room(s: Scale, roomlink: Target, socketio: Target, bare: Option<Target>, floor: Option<Floor>) -> Result<Row, String> {
    let mut large = Vec::new();
    for target in [Some(roomlink), Some(socketio), bare].into_iter().flatten() {
        eprintln!("S2: 1 room of {} on {}…", s.large_room, target.peer.name());
        let fleet = scenarios::open_fleet(target, 1, s.large_room).await?;
        // Roomlink announces the arrivals in presence diffs, at most one a
        // window (1 s in a room this size): let them go out first, or the
        // first messages queue behind diffs of thousands of ids to
        // thousands of tabs, which no room sees once its people are in.
        tokio::time::sleep(ARRIVALS_SETTLE).await;
        let step = scenarios::drive(&fleet, 1.0, Duration::from_secs(10)).await;
        step.print();
        large.push(step);
        fleet.close().await;
    }
    Ok(Row::new(format!("S2 1×{}: p99 at 1 msg/s", s.large_room), "ms", Some(large[0].p99_ms), Some(large[1].p99_ms))
        .target("≤ 20 ms", Some(large[0].p99_ms <= 20.0 && large[0].missing == 0))
        .plain(large.get(2).map(|b| b.p99_ms))
        .floor(floor.filter(|f| f.sockets == s.large_room).map(|f| 0.99 * f.round_ms)))
}

/// The median quiet and typing message p99s of S4's rounds, in milliseconds.
fn medians(rounds: &[(scenarios::FanOutStep, scenarios::FanOutStep)]) -> Option<(f64, f64)> {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let quiet = median(rounds.iter().map(|(q, _)| q.p99_ms).collect())?;
    let typing = median(rounds.iter().map(|(_, t)| t.p99_ms).collect())?;
    Some((quiet, typing))
}

impl scenarios::FanOutStep {
    /// Prints the step as soon as it is done, so a long search shows how it goes.
    pub fn print(&self) {
        // Socket.IO messages carry no client id, so they have no acknowledgement figure.
        let ack = if self.acked_per_sec > 0.0 { format!(", ack p99 {:.1} ms", self.ack_p99_ms) } else { String::new() };
        let cpu = self.server_cpu_per_delivery_us.map(|us| format!(", server CPU {us:.2} µs/delivery")).unwrap_or_default();
        eprintln!(
            "  {:>9.0} msg/s → {:>10.0} deliveries/s, p99 {:.1} ms{ack}, missing {}{cpu}",
            self.sent_per_sec, self.deliveries_per_sec, self.p99_ms, self.missing
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL_SIZES: &[(usize, usize)] = &[(100, 100), (1_000, 10), (500, 100)];

    #[test]
    fn a_size_over_the_file_limit_is_skipped_and_the_most_that_fit_run_in_its_place() {
        use IdlePlan::*;
        // This machine: a hard limit of 20,000 files.
        assert_eq!(
            idle_plan(FULL_SIZES, 20_000),
            vec![
                Run { rooms: 100, members: 100, fresh: true },
                Run { rooms: 1_000, members: 10, fresh: false },
                Skip { tabs: 50_000 },
                Run { rooms: 195, members: 100, fresh: false },
            ]
        );
        // Room enough: every size as asked.
        assert_eq!(
            idle_plan(FULL_SIZES, 60_000),
            vec![
                Run { rooms: 100, members: 100, fresh: true },
                Run { rooms: 1_000, members: 10, fresh: false },
                Run { rooms: 500, members: 100, fresh: false },
            ]
        );
        // Too tight for the first size: what fits runs on the fresh server,
        // and a later size that would hold no more than that is not repeated.
        assert_eq!(
            idle_plan(FULL_SIZES, 5_000),
            vec![
                Skip { tabs: 10_000 },
                Run { rooms: 45, members: 100, fresh: true },
                Skip { tabs: 10_000 },
                Skip { tabs: 50_000 },
            ]
        );
        // Not even one room fits.
        assert_eq!(idle_plan(&[(10, 100)], 550), vec![Skip { tabs: 1_000 }]);
    }
}
