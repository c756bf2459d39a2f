//! The hub's side of presence across nodes: what it does when a node says
//! someone arrived on it or left it, or when a node goes away (see
//! [`crate::live::bus`] and [`crate::live::presence::RemotePresence`]).

use std::sync::Arc;

use super::{hub::{Hub, TopicChannel}, Topic};

impl Hub {
    fn is_me(&self, node: u64) -> bool {
        self.bus.get().is_some_and(|bus| bus.node() == node)
    }

    /// A node (this one too) has its first connection of `author_id` in
    /// `topic`: this node's followers hear they came online, unless they were already.
    pub fn node_arrived(&self, topic: &Topic, author_id: i64, node: u64) {
        let (first, mine) = if self.is_me(node) {
            (!self.remote().has(topic, author_id), true)
        } else {
            (self.remote().arrive(topic, author_id, node), false)
        };
        let Some(channel) = self.existing(topic) else { return };
        let presence = channel.presence();
        if first && (mine || !presence.is_online(author_id)) {
            channel.announce_presence(topic, author_id, None);
        }
    }

    /// A node (this one too) closed its last connection of `author_id` in
    /// `topic` at `at_ms`: offline, unless another connection remains anywhere.
    pub fn node_left(&self, topic: &Topic, author_id: i64, node: u64, at_ms: i64) {
        let gone = if self.is_me(node) { !self.remote().has(topic, author_id) } else { self.remote().leave(topic, author_id, node) };
        if gone {
            self.announce_offline(topic, author_id, at_ms);
        }
    }

    /// A node left or went silent: everyone only it had goes offline.
    pub fn remote_node_gone(&self, node: u64, at_ms: i64) {
        let gone = self.remote().drop_node(node);
        for (topic, author_id) in gone {
            self.announce_offline(&topic, author_id, at_ms);
        }
    }

    /// Tells this node's followers that `author_id` went offline, unless they
    /// still have a connection here.
    fn announce_offline(&self, topic: &Topic, author_id: i64, at_ms: i64) {
        let Some(channel) = self.existing(topic) else { return };
        let presence = channel.presence();
        if !presence.is_online(author_id) {
            channel.announce_presence(topic, author_id, Some(at_ms));
        }
    }

    /// Every (topic, author) with a connection on this node, for a node that
    /// just joined and asks who is where.
    pub fn local_presence(&self) -> Vec<(Topic, i64)> {
        let channels: Vec<(Topic, Arc<TopicChannel>)> =
            self.topics.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(t, c)| (t.clone(), c.clone())).collect();
        channels.into_iter().flat_map(|(topic, c)| c.presence().online().into_iter().map(move |a| (topic.clone(), a))).collect()
    }

}
