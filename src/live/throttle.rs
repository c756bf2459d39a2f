//! A throttle with a leading edge, for what people see change in a topic but
//! need not see change one by one: who is online ([`PRESENCE_BATCH_MS`]) and
//! who is typing ([`TYPING_BATCH_MS`]).
//!
//! A change when none went out in the last window goes at once and opens a
//! window; changes during a window wait, each author keeping only their
//! latest state, and go together when it ends ([`Throttle::flush`]), which
//! opens the next window. A window in which nothing changed closes, so a
//! quiet topic's next change is again immediate. Slack batches
//! `presence_change` the same way; a class of 30 opening a room at once is
//! then one frame per tab, not 30, and 50 people starting to type at once
//! cost each tab one frame per window however many they are.
//!
//! Where lines go out too ([`Throttle::line_out`], typing on one server),
//! a line carries what waits, and in a topic where lines flow (the last
//! within a window, the one before within a window of it) even the first
//! change waits for the next line (one window, two at most): a busy room's
//! typing then costs no frame of its own.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

#[cfg(doc)]
use crate::limits::{PRESENCE_BATCH_MS, TYPING_BATCH_MS};

/// One topic's changes of one kind on their way out: per author id, a state
/// `S` (for presence, online or offline since; for typing, typing as a name
/// or stopped).
#[derive(Debug)]
pub struct Throttle<S> {
    /// A change went out less than a window ago.
    open: bool,
    /// Per author, their latest state, in ascending author order.
    waiting: BTreeMap<i64, S>,
    /// Something going out carried changes during this window ([`Throttle::line_out`]).
    carried: bool,
    /// When the last two lines went out (the last, the one before), if they did.
    lines_at: (Option<Instant>, Option<Instant>),
    /// How long a window lasts.
    window: Duration,
}

impl<S> Throttle<S> {
    /// A closed throttle whose windows last `window`.
    pub fn new(window: Duration) -> Throttle<S> {
        Throttle { open: false, waiting: BTreeMap::new(), carried: false, lines_at: (None, None), window }
    }

    /// Sets how long windows last, from the next one that opens (the caller
    /// times an open window with the length it had when it opened).
    pub fn set_window(&mut self, window: Duration) {
        self.window = window;
    }

    /// How long a window lasts: the caller calls [`Throttle::flush`] this often while it is open.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Records that `author` is now in `state`, at `now`. `None`: the
    /// change waits in the open window. `Some`: the window was closed and
    /// is now open, and the caller must call [`Throttle::flush`] when it
    /// ends; what it holds goes now: the change, or nothing when lines flow
    /// (the last line went out within a window of `now`, and the one before
    /// within a window of it: the change then waits for the next line, one
    /// window, two at most). A lone line, such as "joined", does not hold back
    /// the next change.
    pub fn change(&mut self, author: i64, state: S, now: Instant) -> Option<Vec<(i64, S)>> {
        if self.open {
            self.waiting.insert(author, state);
            return None;
        }
        self.open = true;
        let within = |later: Instant, earlier: Instant| later.saturating_duration_since(earlier) < self.window;
        if matches!(self.lines_at, (Some(last), Some(before)) if within(now, last) && within(last, before)) {
            self.waiting.insert(author, state);
            return Some(Vec::new());
        }
        Some(vec![(author, state)])
    }

    /// Ends a window: the changes that waited, one per author in ascending
    /// order (the next window is then open), or `None` when there were none
    /// (closed). When a line carried changes during this window
    /// ([`Throttle::line_out`]), what waits keeps waiting one more window
    /// (`Some` of nothing): in a busy topic the next line will likely carry
    /// it too, so it costs no frame of its own, and it goes at that
    /// window's end at the latest.
    pub fn flush(&mut self) -> Option<Vec<(i64, S)>> {
        if self.waiting.is_empty() {
            (self.open, self.carried) = (false, false);
            return None;
        }
        if std::mem::take(&mut self.carried) {
            return Some(Vec::new());
        }
        Some(std::mem::take(&mut self.waiting).into_iter().collect())
    }

    /// A line goes out at `now`: the changes waiting, to go just before it,
    /// so they cost no frame of their own; `None` when none wait. The window
    /// stays open (see [`Throttle::flush`]).
    pub fn line_out(&mut self, now: Instant) -> Option<Vec<(i64, S)>> {
        self.lines_at = (Some(now), self.lines_at.0);
        if self.waiting.is_empty() {
            return None;
        }
        self.carried = true;
        Some(std::mem::take(&mut self.waiting).into_iter().collect())
    }

    /// Closes the window (no runtime to flush on) and returns what waited,
    /// to send at once.
    pub fn close(&mut self) -> Vec<(i64, S)> {
        (self.open, self.carried) = (false, false);
        std::mem::take(&mut self.waiting).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::Throttle;

    #[test]
    fn a_lone_change_goes_at_once_and_a_burst_waits_for_the_window() {
        let now = Instant::now();
        let mut t = Throttle::new(Duration::from_millis(500));
        assert_eq!(t.change(5, 'a', now), Some(vec![(5, 'a')]), "a quiet topic's change is not held");
        assert_eq!(t.change(9, 'a', now), None);
        assert_eq!(t.change(7, 'a', now), None);
        assert_eq!(t.change(9, 'b', now), None, "changed twice within the window");
        assert_eq!(t.change(3, 'b', now), None);
        assert_eq!(t.flush(), Some(vec![(3, 'b'), (7, 'a'), (9, 'b')]), "latest state per author, ascending");
        assert_eq!(t.change(7, 'b', now), None, "the flush opened the next window");
        assert_eq!(t.flush(), Some(vec![(7, 'b')]));
        assert_eq!(t.flush(), None, "a window with no change closes");
        assert_eq!(t.change(8, 'a', now), Some(vec![(8, 'a')]), "and the next change is immediate again");
        assert_eq!(t.change(2, 'b', now), None);
        assert_eq!(t.close(), vec![(2, 'b')], "closing hands over what waited");
        assert_eq!(t.change(8, 'b', now), Some(vec![(8, 'b')]), "closed by hand, the next change is immediate");
    }

    #[test]
    fn where_lines_flow_changes_go_with_them() {
        let at = Instant::now();
        let ms = |n| at + Duration::from_millis(n);
        let mut t = Throttle::new(Duration::from_millis(500));
        assert_eq!(t.change(1, 'a', at), Some(vec![(1, 'a')]));
        assert_eq!(t.change(2, 'a', at), None, "the window is open");
        assert_eq!(t.line_out(ms(100)), Some(vec![(2, 'a')]), "a line carries what waits");
        assert_eq!(t.line_out(ms(200)), None);
        assert_eq!(t.change(4, 'a', ms(300)), None);
        assert_eq!(t.flush(), Some(vec![]), "a line carried changes this window: the rest waits for the next");
        assert_eq!(t.line_out(ms(600)), Some(vec![(4, 'a')]), "which the next line carries");
        assert_eq!(t.change(6, 'a', ms(700)), None);
        assert_eq!(t.flush(), Some(vec![]));
        assert_eq!(t.flush(), Some(vec![(6, 'a')]), "no line came: it goes one window later");
        assert_eq!(t.flush(), None, "closed");
        assert_eq!(t.line_out(ms(800)), None);
        assert_eq!(t.change(7, 'b', ms(900)), Some(vec![]), "two lines within the window: even the first change waits");
        assert_eq!(t.line_out(ms(950)), Some(vec![(7, 'b')]));
        assert_eq!(t.flush(), None, "nothing waits: closed");
        assert_eq!(t.change(8, 'a', ms(1_500)), Some(vec![(8, 'a')]), "no line for a window: the first change goes at once");
        assert_eq!(t.flush(), None);
        assert_eq!(t.line_out(ms(3_000)), None);
        assert_eq!(t.change(9, 'a', ms(3_100)), Some(vec![(9, 'a')]), "a lone line holds nothing back");
        assert_eq!(t.flush(), None);
        assert_eq!(t.line_out(ms(3_400)), None);
        assert_eq!(
            t.change(10, 'b', ms(3_800)),
            Some(vec![]),
            "a line every 400 ms flows too, though the one before the last is older than a window"
        );
        assert_eq!(t.line_out(ms(3_900)), Some(vec![(10, 'b')]));
    }
}
