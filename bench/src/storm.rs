//! The two storms on a fleet of S2.
//!
//! S4, the typing storm: the fleet's messages at a steady rate, quiet and
//! then with half the tabs typing; how much typing raises message latency.
//!
//! S6, the reconnect storm: most tabs of a fleet lose their connection at
//! once and come back, while messages keep coming; every message must reach
//! every tab exactly once (Roomlink catches a tab up from the newest id it
//! has; the Socket.IO reference has no catch-up, so what was sent meanwhile
//! is lost there).

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::Duration,
};

use futures::{stream, StreamExt, TryStreamExt};
use tokio::time::Instant;

use super::{
    scenarios::{drive, paced, FanOutStep, Fleet, OPENING_AT_ONCE},
    tab::{Command, Tab, TabSpec},
};

/// Rounds of S4: p99 differences of a few tenths of a millisecond between
/// two runs of the same load are common on a shared machine, so one quiet
/// and one typing run cannot tell a 10% rise from noise; the medians of
/// several of each, alternating, can. Five: with three, the one typing
/// round that spiked in each of three runs of the same binary (12 to 24 ms
/// against 3 to 5 ms) left the median resting on the higher of two.
pub const TYPING_STORM_ROUNDS: usize = 5;

/// S4: the fleet at `rate` messages per second, `rounds` times first quiet
/// for `length`, then for `length` while every other tab says "typing"
/// every 3 s (as a typing person's tab does), staggered, and "stopped" at
/// the end (as a tab does when its person stops). Returns (quiet, typing)
/// per round.
pub async fn typing_storm(fleet: &Fleet, rate: f64, length: Duration, rounds: usize) -> Vec<(FanOutStep, FanOutStep)> {
    let typists: Vec<&Tab> = fleet.tabs.iter().step_by(2).collect();
    let every = Duration::from_millis(roomlink::limits::TYPING_SEND_EVERY_MS.into());
    let per_sec = typists.len() as f64 / every.as_secs_f64();
    let mut out = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let quiet = drive(fleet, rate, length).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let typing = paced(per_sec, length, |n| {
            typists[n as usize % typists.len()].tell(Command::Typing(true));
        });
        let (storm, _) = tokio::join!(drive(fleet, rate, length), typing);
        for typist in &typists {
            typist.tell(Command::Typing(false));
        }
        // Time for the "stopped"s to go out before the next quiet run.
        tokio::time::sleep(Duration::from_secs(3)).await;
        out.push((quiet, storm));
    }
    out
}

/// What S6 measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReconnectStorm {
    /// Tabs dropped at once (all but one sender per room).
    pub dropped: usize,
    /// Seconds from the drop until every dropped tab was connected and subscribed again.
    pub back_secs: f64,
    /// Seconds from the drop until every message had reached every tab; `None` if some never did.
    pub caught_up_secs: Option<f64>,
    /// Deliveries that never came (messages lost across the reconnect).
    pub missing: u64,
    /// Deliveries that came more than once.
    pub duplicates: u64,
}

/// S6: one tab per room (the first) sends `rate` messages per second in
/// all; one second in, every other tab drops its connection without a close
/// frame (as when a server or network fails) and connects again at once,
/// Roomlink tabs asking for everything after the newest message they have.
/// Sending goes on for two seconds after all are back. Every message must
/// then reach every tab exactly once.
///
/// Errors: a tab that cannot connect again.
pub async fn reconnect_storm(fleet: &mut Fleet, rate: f64) -> Result<ReconnectStorm, String> {
    fleet.recorder.reset();
    let (rooms, members) = (fleet.rooms(), fleet.members);
    let sent = AtomicU64::new(0);
    let sending = AtomicBool::new(true);
    let senders: Vec<&Tab> = fleet.tabs.iter().step_by(members).collect();
    let send = async {
        let mut ticker = tokio::time::interval(Duration::from_millis(1));
        let started = Instant::now();
        while sending.load(Ordering::Relaxed) {
            ticker.tick().await;
            let due = (started.elapsed().as_secs_f64() * rate) as u64;
            while sent.load(Ordering::Relaxed) < due {
                let n = sent.fetch_add(1, Ordering::Relaxed);
                senders[n as usize % rooms].tell(Command::Send);
            }
        }
    };
    let storm = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let dropped: Vec<usize> = (0..fleet.tabs.len()).filter(|i| i % members != 0).collect();
        let started = Instant::now();
        for &i in &dropped {
            fleet.tabs[i].tell(Command::Drop);
        }
        // Once a tab's task has ended, the newest id it has is final.
        while !dropped.iter().all(|&i| fleet.tabs[i].ended()) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let specs: Vec<(usize, TabSpec)> =
            dropped.iter().map(|&i| (i, TabSpec { after_id: fleet.tabs[i].last_id(), ..fleet.specs[i].clone() })).collect();
        let (recorder, acks) = (fleet.recorder.clone(), fleet.acks.clone());
        let reopened: Result<Vec<(usize, Tab)>, String> = stream::iter(specs)
            .map(|(i, spec)| {
                let (recorder, acks) = (recorder.clone(), acks.clone());
                async move { Tab::open(&spec, i, recorder, acks).await.map(|tab| (i, tab)) }
            })
            .buffer_unordered(OPENING_AT_ONCE)
            .try_collect()
            .await;
        let back_secs = started.elapsed().as_secs_f64();
        tokio::time::sleep(Duration::from_secs(2)).await;
        sending.store(false, Ordering::Relaxed);
        (started, back_secs, reopened)
    };
    let ((), (started, back_secs, reopened)) = tokio::join!(send, storm);
    let reopened = reopened?;
    let dropped = reopened.len();
    for (i, tab) in reopened {
        fleet.tabs[i] = tab; // the old tab's task has ended
    }
    let expected = sent.load(Ordering::Relaxed) * members as u64;
    let waited = Instant::now();
    while fleet.recorder.deliveries() < expected && waited.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered = fleet.recorder.deliveries();
    Ok(ReconnectStorm {
        dropped,
        back_secs,
        caught_up_secs: (delivered >= expected).then(|| started.elapsed().as_secs_f64()),
        missing: expected.saturating_sub(delivered),
        duplicates: delivered.saturating_sub(expected),
    })
}
