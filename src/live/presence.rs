//! Who is online and who is typing in one topic, kept by the hub.
//!
//! Presence counts connections per author, so several tabs or devices of one
//! person are one person, online until the last one goes (as Phoenix Presence
//! does, but without its CRDT: one node holds the truth). Typing states
//! expire [`TYPING_TTL_MS`] after their last refresh, and go when the
//! author's last connection closes, so an indicator can never get stuck.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use crate::limits::TYPING_TTL_MS;

/// The presence and typing state of one topic.
#[derive(Debug, Default)]
pub struct Presence {
    /// Open connections per author id.
    connections: HashMap<i64, u32>,
    /// Typing authors: name and when the state lapses.
    typing: HashMap<i64, (String, Instant)>,
}

/// What a change did, for the hub to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Nothing anyone needs to hear.
    None,
    /// The author came online (first connection).
    Online,
    /// The author went offline (last connection); `was_typing` if they were.
    Offline {
        /// They were typing, so "stopped typing" goes out too.
        was_typing: bool,
    },
}

impl Presence {
    /// Counts a new connection of `author`.
    pub fn connect(&mut self, author: i64) -> Change {
        let n = self.connections.entry(author).or_insert(0);
        *n += 1;
        if *n == 1 { Change::Online } else { Change::None }
    }

    /// Counts a closed connection of `author`.
    pub fn disconnect(&mut self, author: i64) -> Change {
        let Some(n) = self.connections.get_mut(&author) else { return Change::None };
        *n -= 1;
        if *n > 0 {
            return Change::None;
        }
        self.connections.remove(&author);
        Change::Offline { was_typing: self.typing.remove(&author).is_some() }
    }

    /// Author ids online now, sorted.
    pub fn online(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.connections.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Records that `author` types (refreshing the lapse time) or stopped.
    /// True when this changes what others see.
    pub fn set_typing(&mut self, author: i64, name: &str, typing: bool, now: Instant) -> bool {
        if typing {
            let lapse = now + Duration::from_millis(TYPING_TTL_MS);
            self.typing.insert(author, (name.to_string(), lapse)).is_none()
        } else {
            self.typing.remove(&author).is_some()
        }
    }

    /// Removes typing states that lapsed by `now`; returns their authors and names.
    pub fn expire_typing(&mut self, now: Instant) -> Vec<(i64, String)> {
        let lapsed: Vec<i64> = self.typing.iter().filter(|(_, (_, at))| *at <= now).map(|(id, _)| *id).collect();
        lapsed.into_iter().filter_map(|id| self.typing.remove(&id).map(|(name, _)| (id, name))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_connections_are_one_person() {
        let mut p = Presence::default();
        assert_eq!(p.connect(1), Change::Online);
        assert_eq!(p.connect(1), Change::None);
        assert_eq!(p.connect(2), Change::Online);
        assert_eq!(p.online(), vec![1, 2]);
        assert_eq!(p.disconnect(1), Change::None);
        assert_eq!(p.online(), vec![1, 2]);
        assert_eq!(p.disconnect(1), Change::Offline { was_typing: false });
        assert_eq!(p.online(), vec![2]);
        assert_eq!(p.disconnect(1), Change::None);
    }

    #[test]
    fn typing_lapses_and_ends_with_the_last_connection() {
        let mut p = Presence::default();
        let t0 = Instant::now();
        p.connect(1);
        assert!(p.set_typing(1, "ana", true, t0));
        assert!(!p.set_typing(1, "ana", true, t0 + Duration::from_secs(3)), "a refresh is not news");
        assert!(p.expire_typing(t0 + Duration::from_secs(8)).is_empty(), "refreshed at 3 s, lapses at 9 s");
        assert_eq!(p.expire_typing(t0 + Duration::from_secs(9)), vec![(1, "ana".to_string())]);
        p.set_typing(1, "ana", true, t0);
        assert_eq!(p.disconnect(1), Change::Offline { was_typing: true });
        assert!(!p.set_typing(1, "ana", false, t0));
    }
}
