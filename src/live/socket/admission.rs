//! Who may follow what: a tab's request to follow a room or an instant
//! chat, checked against the person's rights there (a membership, a
//! participant), and read again whenever the socket picks a topic up after
//! it may have missed events (see [`super::events`]).

use axum::extract::ws::Utf8Bytes;

use super::{follows::Follow, refused, Connection, TabFrames};
use crate::{
    error::Refusal,
    live::guest_identity::chat_and_identity,
    limits::LIVE_ROOMS_PER_CONNECTION,
    live::{hub::encode, ServerEvent, Topic},
    clock::now_ms,
    store::{ChatRow, ParticipantRow},
};

impl Connection {
    /// Follows `topic` for this tab from after line `after_id`, when its
    /// person may: the answer (`Subscribed`, who is online, the lines
    /// missed), or the refusal. Following it already: the catch-up only.
    pub(super) async fn subscribe(&mut self, topic: Topic, after_id: i64) -> TabFrames {
        if self.follows.get(&topic).is_some() {
            return self.catch_up(&topic).await;
        }
        if self.follows.len() >= LIVE_ROOMS_PER_CONNECTION {
            return vec![refused(Some(&topic), None, Refusal::TooManyTopics)];
        }
        // Subscribe before reading rights and lines: a ban or leave that
        // commits after the rights are read is published after this, so
        // its end reaches this tab; and no line falls between the two.
        let receiver = self.live.hub.subscribe(&topic);
        let (managing, chat) = match self.admit(&topic).await {
            Ok(admitted) => admitted,
            Err(denied) => {
                drop(receiver);
                self.live.hub.release(&topic);
                return vec![denied.on_subscribe(&topic)];
            }
        };
        // Who this tab is there: the user in a room, the participant in a chat.
        let author = match &chat {
            Some((_, me)) => Some((me.id, me.name.clone())),
            None => self.me.as_ref().map(|me| (me.id, me.username.clone())),
        };
        let mut replies = vec![encode(&ServerEvent::Subscribed { topic: topic.clone() })];
        if let Some((id, _)) = &author {
            let online = self.live.hub.connect(&topic, *id);
            replies.push(encode(&ServerEvent::Presence { topic: topic.clone(), online }));
        }
        if let (true, Topic::Room(room_id)) = (managing, &topic) {
            // What waits, if anything (the tab counts none from `Subscribed`
            // on); later changes come live.
            match self.live.store.join_requests().pending_count(*room_id, now_ms()).await {
                Ok(0) => {}
                Ok(pending) => replies.push(encode(&ServerEvent::JoinRequests { topic: topic.clone(), pending })),
                Err(err) => tracing::error!(error = %err, "counting join requests failed"),
            }
        }
        let follow = Follow { topic: topic.clone(), sent_up_to: after_id.max(0), author, managing, chat, catching_up: false };
        self.follows.insert(follow, receiver);
        replies.extend(self.catch_up(&topic).await);
        replies
    }

    /// Checks that this tab may follow `topic`. Returns whether the user
    /// manages its invite links and, for an instant chat, the chat and who
    /// this tab is in it.
    pub(super) async fn admit(&self, topic: &Topic) -> Result<(bool, Option<(ChatRow, ParticipantRow)>), Denied> {
        let fault = |err: crate::store::StoreError| {
            tracing::error!(error = %err, "reading rights in a topic failed");
            Denied::Fault
        };
        match topic {
            Topic::Room(room_id) => {
                let Some(me) = &self.me else {
                    return Err(Denied::NotAllowed(Refusal::LogInFirst));
                };
                match self.live.store.rooms().rights_of(*room_id, me.id).await.map_err(fault)? {
                    Some(rights) => Ok((rights.can_moderate, None)),
                    None => Err(Denied::NotAllowed(Refusal::NotAMember)),
                }
            }
            Topic::Chat(chat_id) => {
                let user_id = self.me.as_ref().map(|u| u.id);
                let found = chat_and_identity(&self.live.guest_keys, &self.live.store, chat_id, &self.cookies, user_id).await.map_err(fault)?;
                let Some((chat, me)) = found.filter(|(c, _)| c.is_open(now_ms())) else {
                    return Err(Denied::Over(Refusal::ChatExpired));
                };
                if !chat.keep_history {
                    // With several nodes, lines this node missed while its
                    // bus connection was down may still be coming back.
                    self.live.hub.until_whole().await;
                }
                match me {
                    Some(me) => Ok((false, Some((chat, me)))),
                    None => Err(Denied::NotAllowed(Refusal::PickANameFirst)),
                }
            }
        }
    }
}

/// Why [`Connection::admit`] refused a topic.
#[derive(Debug, Clone)]
pub(super) enum Denied {
    /// This person may not follow it (not a member, not in the chat): why.
    NotAllowed(Refusal),
    /// The topic is over for everyone (an ended or expired chat): why.
    Over(Refusal),
    /// The rights could not be read (logged).
    Fault,
}

impl Denied {
    /// The frame a tab asking to follow `topic` gets.
    pub(super) fn on_subscribe(self, topic: &Topic) -> Utf8Bytes {
        match self {
            Denied::NotAllowed(reason) => refused(Some(topic), None, reason),
            Denied::Over(reason) => encode(&ServerEvent::Ended { topic: topic.clone(), reason }),
            Denied::Fault => refused(Some(topic), None, Refusal::FollowFault),
        }
    }
}
