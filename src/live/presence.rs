//! Who is online and who is typing in one topic, kept by the hub.
//!
//! Presence counts connections per author, so several tabs or devices of one
//! person are one person, online until the last one goes (as Phoenix Presence
//! does). With several nodes, each node counts its own connections and tells
//! the others when an author arrives on it or leaves it ([`RemotePresence`]
//! holds what they said); someone is online while any node has a connection
//! of theirs. Unlike Phoenix's CRDT, a node's word is final for its own
//! connections, and a node that stops talking is dropped (see
//! [`crate::live::bus`]). Typing states
//! expire [`TYPING_TTL_MS`] after their last refresh, and go when the
//! author's last connection closes, so an indicator can never get stuck.

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use super::{Topic, WentOffline};
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

    /// True when `author` has a connection here.
    pub fn is_online(&self, author: i64) -> bool {
        self.connections.contains_key(&author)
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
            match self.typing.get_mut(&author) {
                Some((_, at)) => {
                    *at = lapse;
                    false
                }
                None => {
                    self.typing.insert(author, (name.to_string(), lapse));
                    true
                }
            }
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

/// The body of a [`super::ServerEvent::PresenceDiff`]: joins, then leaves.
pub type Diff = (Vec<i64>, Vec<WentOffline>);

/// Splits presence states (`None` online, `Some(ms)` offline since), in
/// ascending author order, into joins and leaves.
pub fn diff(states: impl IntoIterator<Item = (i64, Option<i64>)>) -> Diff {
    let (mut joins, mut leaves) = (Vec::new(), Vec::new());
    for (author_id, offline_at) in states {
        match offline_at {
            None => joins.push(author_id),
            Some(last_seen_at) => leaves.push(WentOffline { author_id, last_seen_at }),
        }
    }
    (joins, leaves)
}

/// Who is online on the other nodes: per topic, per author, the nodes
/// (by their random id) with at least one of that author's connections.
#[derive(Debug, Default)]
pub struct RemotePresence {
    topics: HashMap<Topic, HashMap<i64, HashSet<u64>>>,
}

impl RemotePresence {
    /// True when another node has a connection of `author` in `topic`.
    pub fn has(&self, topic: &Topic, author: i64) -> bool {
        self.topics.get(topic).is_some_and(|authors| authors.contains_key(&author))
    }

    /// Authors online in `topic` on other nodes.
    pub fn online(&self, topic: &Topic) -> Vec<i64> {
        self.topics.get(topic).map(|authors| authors.keys().copied().collect()).unwrap_or_default()
    }

    /// `node` has a connection of `author` in `topic`. True when no other
    /// node had one before.
    pub fn arrive(&mut self, topic: &Topic, author: i64, node: u64) -> bool {
        let nodes = self.topics.entry(topic.clone()).or_default().entry(author).or_default();
        let first = nodes.is_empty();
        nodes.insert(node);
        first
    }

    /// `node` has no connection of `author` in `topic` any more. True when no
    /// other node has one either.
    pub fn leave(&mut self, topic: &Topic, author: i64, node: u64) -> bool {
        let Some(authors) = self.topics.get_mut(topic) else { return false };
        let Some(nodes) = authors.get_mut(&author) else { return false };
        if !nodes.remove(&node) || !nodes.is_empty() {
            return false;
        }
        authors.remove(&author);
        if authors.is_empty() {
            self.topics.remove(topic);
        }
        true
    }

    /// Forgets a node that left or went silent. Returns the authors no other
    /// node has a connection of any more, per topic.
    pub fn drop_node(&mut self, node: u64) -> Vec<(Topic, i64)> {
        let mut gone = Vec::new();
        for (topic, authors) in &mut self.topics {
            authors.retain(|author, nodes| {
                if nodes.remove(&node) && nodes.is_empty() {
                    gone.push((topic.clone(), *author));
                    return false;
                }
                true
            });
        }
        self.topics.retain(|_, authors| !authors.is_empty());
        gone
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

    #[test]
    fn states_split_into_joins_and_leaves() {
        let left = |author_id, last_seen_at| WentOffline { author_id, last_seen_at };
        assert_eq!(diff([(3, Some(900)), (7, None), (9, Some(1_000))]), (vec![7], vec![left(3, 900), left(9, 1_000)]));
        assert_eq!(diff([]), (vec![], vec![]));
    }

    #[test]
    fn remote_presence_counts_nodes_and_drops_a_silent_one() {
        let mut r = RemotePresence::default();
        let room = Topic::Room(1);
        assert!(r.arrive(&room, 7, 100), "first node with author 7");
        assert!(!r.arrive(&room, 7, 200), "a second node is not news");
        assert!(r.arrive(&room, 8, 200));
        assert_eq!(r.online(&room).len(), 2);
        assert!(!r.leave(&room, 7, 100), "still on node 200");
        assert!(!r.leave(&room, 7, 100), "leaving twice changes nothing");
        let mut gone = r.drop_node(200);
        gone.sort();
        assert_eq!(gone, vec![(room.clone(), 7), (room.clone(), 8)]);
        assert!(!r.has(&room, 7));
        assert!(r.online(&room).is_empty());
    }
}
