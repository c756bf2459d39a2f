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

use std::collections::BTreeMap;

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
}

impl<S> Default for Throttle<S> {
    fn default() -> Throttle<S> {
        Throttle { open: false, waiting: BTreeMap::new() }
    }
}

impl<S> Throttle<S> {
    /// Records that `author` is now in `state`. Returns the change to send
    /// now when no window was open; the window is then open, and the caller
    /// must call [`Throttle::flush`] when it ends. `None`: the change waits.
    pub fn change(&mut self, author: i64, state: S) -> Option<Vec<(i64, S)>> {
        if self.open {
            self.waiting.insert(author, state);
            return None;
        }
        self.open = true;
        Some(vec![(author, state)])
    }

    /// Ends a window: the changes that waited, one per author in ascending
    /// order (the next window is then open), or `None` when there were none
    /// (closed).
    pub fn flush(&mut self) -> Option<Vec<(i64, S)>> {
        if self.waiting.is_empty() {
            self.open = false;
            return None;
        }
        Some(std::mem::take(&mut self.waiting).into_iter().collect())
    }

    /// The changes waiting now, to go out beside something else that does
    /// (a line), so they cost no frame of their own; `None` when none wait.
    /// The window stays as it was: its end sends what comes after.
    pub fn take(&mut self) -> Option<Vec<(i64, S)>> {
        if self.waiting.is_empty() {
            return None;
        }
        Some(std::mem::take(&mut self.waiting).into_iter().collect())
    }

    /// Closes the window with nothing waiting (no runtime to flush on).
    pub fn close(&mut self) {
        self.open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::Throttle;

    #[test]
    fn a_lone_change_goes_at_once_and_a_burst_waits_for_the_window() {
        let mut t = Throttle::default();
        assert_eq!(t.change(5, 'a'), Some(vec![(5, 'a')]), "a quiet topic's change is not held");
        assert_eq!(t.change(9, 'a'), None);
        assert_eq!(t.change(7, 'a'), None);
        assert_eq!(t.change(9, 'b'), None, "changed twice within the window");
        assert_eq!(t.change(3, 'b'), None);
        assert_eq!(t.flush(), Some(vec![(3, 'b'), (7, 'a'), (9, 'b')]), "latest state per author, ascending");
        assert_eq!(t.change(7, 'b'), None, "the flush opened the next window");
        assert_eq!(t.flush(), Some(vec![(7, 'b')]));
        assert_eq!(t.flush(), None, "a window with no change closes");
        assert_eq!(t.change(8, 'a'), Some(vec![(8, 'a')]), "and the next change is immediate again");
        assert_eq!(t.change(2, 'b'), None, "the window is open");
        assert_eq!(t.take(), Some(vec![(2, 'b')]), "taken to go beside a line");
        assert_eq!(t.take(), None);
        assert_eq!(t.change(4, 'a'), None, "taking left the window open");
        assert_eq!(t.flush(), Some(vec![(4, 'a')]));
        t.close();
        assert_eq!(t.change(8, 'b'), Some(vec![(8, 'b')]), "closed by hand, the next change is immediate");
    }
}
