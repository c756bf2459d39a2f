//! The topics one live connection follows, with what it knows of each.
//!
//! Each followed topic gets a small key when it is followed; the hub
//! receivers are polled under that key. Every delivery then looks its topic
//! up by copying a number, where a map keyed by [`Topic`] cloned the topic
//! (a `String` for an instant chat: an allocation per delivery) and hashed
//! it several times (issue 6, perf on S2: `HashMap::get_mut` and the
//! `StreamMap` key clone were the largest user-space items after polling).
//! A connection follows at most [`LIVE_ROOMS_PER_CONNECTION`] topics, so a
//! scan of a short `Vec` beats hashing, and an idle tab keeps one small
//! vector instead of five maps (S1).
//!
//! [`LIVE_ROOMS_PER_CONNECTION`]: crate::limits::LIVE_ROOMS_PER_CONNECTION

use std::sync::Arc;

use tokio_stream::{wrappers::BroadcastStream, StreamMap};

use crate::{
    live::{hub::HubEvent, Topic},
    store::{ChatRow, ParticipantRow},
};

/// The key a followed topic's receiver is polled under.
pub(super) type FollowKey = u32;

/// What a connection knows of one topic it follows.
pub(super) struct Follow {
    /// The room or instant chat.
    pub topic: Topic,
    /// The newest line id this tab has been sent (0: none yet).
    pub sent_up_to: i64,
    /// Who this tab is there (author id, name), as counted in presence;
    /// `None` only for a room followed without a logged-in user.
    pub author: Option<(i64, String)>,
    /// The tab's user manages invite links here (owner, moderator): they
    /// see which link each member joined through.
    pub managing: bool,
    /// For an instant chat: the chat, and who this tab is in it.
    pub chat: Option<(ChatRow, ParticipantRow)>,
    /// The last catch-up page was full: more missed lines wait in the
    /// store, and go out page by page before this topic's next live event
    /// (see [`super::events`]).
    pub catching_up: bool,
}

/// The topics a connection follows and their hub receivers.
#[derive(Default)]
pub(super) struct Follows {
    /// Hub receivers by key: `next()` yields `(key, item)`.
    pub streams: StreamMap<FollowKey, BroadcastStream<Arc<HubEvent>>>,
    /// Followed topics by key, in the order they were followed.
    list: Vec<(FollowKey, Follow)>,
    /// The key the next followed topic gets.
    next_key: FollowKey,
}

impl Follows {
    /// How many topics are followed.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no topic is followed.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The follow of `topic`, if followed.
    pub fn get(&self, topic: &Topic) -> Option<&Follow> {
        self.list.iter().find(|(_, f)| f.topic == *topic).map(|(_, f)| f)
    }

    /// The follow of `topic`, to change, if followed.
    pub fn get_mut(&mut self, topic: &Topic) -> Option<&mut Follow> {
        self.list.iter_mut().find(|(_, f)| f.topic == *topic).map(|(_, f)| f)
    }

    /// The follow polled under `key`, if still followed.
    pub fn by_key(&self, key: FollowKey) -> Option<&Follow> {
        self.list.iter().find(|(k, _)| *k == key).map(|(_, f)| f)
    }

    /// The follow polled under `key`, to change, if still followed.
    pub fn by_key_mut(&mut self, key: FollowKey) -> Option<&mut Follow> {
        self.list.iter_mut().find(|(k, _)| *k == key).map(|(_, f)| f)
    }

    /// Follows `follow.topic`, reading its events from `receiver`. The
    /// caller checks first that it is not followed already.
    pub fn insert(&mut self, follow: Follow, receiver: tokio::sync::broadcast::Receiver<Arc<HubEvent>>) {
        let key = self.next_key;
        // Wrapping is harmless: a key comes back only after four billion
        // follows on one socket, long after the one it named was dropped.
        self.next_key = self.next_key.wrapping_add(1);
        self.streams.insert(key, BroadcastStream::new(receiver));
        self.list.push((key, follow));
    }

    /// Stops following `topic`; returns what was known of it.
    pub fn remove(&mut self, topic: &Topic) -> Option<Follow> {
        let at = self.list.iter().position(|(_, f)| f.topic == *topic)?;
        let (key, follow) = self.list.remove(at);
        self.streams.remove(&key);
        Some(follow)
    }

    /// A followed topic whose catch-up has more pages to send, if any.
    pub fn catching_up(&self) -> Option<Topic> {
        self.list.iter().find(|(_, f)| f.catching_up).map(|(_, f)| f.topic.clone())
    }

    /// Every followed topic.
    pub fn topics(&self) -> Vec<Topic> {
        self.list.iter().map(|(_, f)| f.topic.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use tokio::sync::broadcast;

    fn follow(topic: Topic) -> Follow {
        Follow { topic, sent_up_to: 0, author: Some((7, "ana".into())), managing: false, chat: None, catching_up: false }
    }

    #[tokio::test]
    async fn each_topic_is_found_by_its_key_and_a_removed_topics_key_names_nothing() {
        let mut follows = Follows::default();
        let (room_tx, room_rx) = broadcast::channel(4);
        let (chat_tx, chat_rx) = broadcast::channel(4);
        follows.insert(follow(Topic::Room(1)), room_rx);
        follows.insert(follow(Topic::Chat("abc".into())), chat_rx);
        assert_eq!(follows.len(), 2);
        assert_eq!(follows.topics(), vec![Topic::Room(1), Topic::Chat("abc".into())]);

        // An event on the chat arrives under the chat's key.
        chat_tx.send(Arc::new(HubEvent::new("hello".into()))).unwrap();
        let (key, item) = follows.streams.next().await.unwrap();
        assert_eq!(item.unwrap().frame.as_str(), "hello");
        assert_eq!(follows.by_key(key).unwrap().topic, Topic::Chat("abc".into()));
        follows.by_key_mut(key).unwrap().sent_up_to = 42;
        assert_eq!(follows.get(&Topic::Chat("abc".into())).unwrap().sent_up_to, 42);
        assert_eq!(follows.get(&Topic::Room(1)).unwrap().sent_up_to, 0);

        // Removed, the chat's key names nothing, and following it again
        // gives a new key: an event still queued under the old key is not
        // taken for the new follow.
        let removed = follows.remove(&Topic::Chat("abc".into())).unwrap();
        assert_eq!(removed.sent_up_to, 42);
        assert!(follows.by_key(key).is_none());
        assert!(follows.remove(&Topic::Chat("abc".into())).is_none());
        let (_chat_tx2, chat_rx2) = broadcast::channel(4);
        follows.insert(follow(Topic::Chat("abc".into())), chat_rx2);
        assert!(follows.by_key(key).is_none());
        assert_eq!(follows.get(&Topic::Chat("abc".into())).unwrap().sent_up_to, 0);

        // The room's events still come under the room's key.
        room_tx.send(Arc::new(HubEvent::new("room".into()))).unwrap();
        let (key, item) = follows.streams.next().await.unwrap();
        assert_eq!(item.unwrap().frame.as_str(), "room");
        assert_eq!(follows.by_key(key).unwrap().topic, Topic::Room(1));
        follows.remove(&Topic::Room(1));
        follows.remove(&Topic::Chat("abc".into()));
        assert!(follows.is_empty());
        drop(chat_tx);
    }
}
