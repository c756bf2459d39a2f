//! What a live connection sends of the events of the topics it follows:
//! live events from the hub (deduplicated against catch-up, link details
//! hidden from plain members) and catch-up from the store after a lag.

use axum::extract::ws::Utf8Bytes;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::{admission::Denied, follows::FollowKey, Connection, TabFrames};
use crate::{
    error::Refusal,
    limits::LIVE_CATCH_UP_PAGE_LINES,
    live::{
        hub::{encode, HubEvent, HubEventKind},
        ChatMessage, ServerEvent, Topic,
    },
};

/// One item from a topic's hub receiver: an event, or how many this tab missed.
type HubItem = Result<std::sync::Arc<HubEvent>, BroadcastStreamRecvError>;



impl Connection {
    /// What one item from the hub, read under the follow's `key`, means for
    /// this tab: the frames it adds to `out`. A plain live event is handled
    /// without waiting and without allocating; the rest (catch-up, reading
    /// rights again) in a boxed future, so an idle tab's task stays small (S1).
    pub(super) async fn hub_item(&mut self, key: FollowKey, item: HubItem, out: &mut TabFrames) {
        match item {
            Ok(event) if !matches!(event.kind, HubEventKind::Resync) && !self.rights_changed(key, &event) => {
                self.live_event(key, &event, out)
            }
            item => Box::pin(self.hub_item_reading(key, item, out)).await,
        }
    }

    /// [`Connection::hub_item`] for items that read the database.
    async fn hub_item_reading(&mut self, key: FollowKey, item: HubItem, out: &mut TabFrames) {
        let Some(topic) = self.follows.by_key(key).map(|f| f.topic.clone()) else { return };
        match item {
            Ok(event) if matches!(event.kind, HubEventKind::Resync) => self.resume(&topic, out).await,
            Ok(event) => {
                if self.rights_changed(key, &event) {
                    self.read_rights(&topic).await;
                }
                self.live_event(key, &event, out)
            }
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                tracing::debug!(%topic, missed, "follower lagged; catching up");
                self.resume(&topic, out).await
            }
        }
    }

    /// Picks `topic` up again after events may have been missed (the tab
    /// lagged behind the channel, or the bus reconnected): among them may
    /// have been this person's end there (a ban, a removal, leaving), so
    /// their rights are read again first. Still allowed: the missed lines
    /// follow (and the rights as read now). Not any more: the topic ends for
    /// this tab, with nothing after. Rights that cannot be read close the
    /// socket, so that the tab comes back through a fresh subscribe.
    async fn resume(&mut self, topic: &Topic, out: &mut TabFrames) {
        match self.admit(topic).await {
            Ok((managing, chat)) => {
                if let Some(follow) = self.follows.get_mut(topic) {
                    follow.managing = managing;
                    if chat.is_some() {
                        follow.chat = chat;
                    }
                }
                out.extend(self.catch_up(topic).await)
            }
            Err(Denied::Fault) => self.closing = true,
            Err(denied) => {
                // Picking a topic up again and finding the person no longer
                // in it (removed, banned or left while the tab lagged).
                let reason = match (denied, topic) {
                    (Denied::Over(reason), _) => reason,
                    (_, Topic::Room(_)) => Refusal::NoLongerMember,
                    (_, Topic::Chat(_)) => Refusal::NoLongerInChat,
                };
                let _ = self.unfollow(topic);
                out.push(encode(&ServerEvent::Ended { topic: topic.clone(), reason }));
                self.closing = self.follows.is_empty();
            }
        }
    }

    /// The next page of what `topic` holds after what this tab was last
    /// sent (for a newcomer to a chat without history, from their arrival
    /// on): at most [`LIVE_CATCH_UP_PAGE_LINES`] lines. When the page is full the
    /// follow is marked [`super::follows::Follow::catching_up`], and the
    /// connection sends the next page once this one is written
    /// ([`Connection::next_catch_up_page`]): a tab that missed a long
    /// stretch is caught up with one page in memory at a time, never the
    /// whole stretch (issue 37).
    pub(super) async fn catch_up(&mut self, topic: &Topic) -> TabFrames {
        let Some(follow) = self.follows.get(topic) else { return Vec::new() };
        let after = follow.sent_up_to;
        let page = match topic {
            Topic::Room(room_id) => {
                let managing = follow.managing;
                self.live.store.messages().after(*room_id, after, LIVE_CATCH_UP_PAGE_LINES).await.map(|lines| {
                    let frame = |mut message: ChatMessage| {
                        if !managing {
                            message.hide_moderation_details();
                        }
                        (message.id, encode(&ServerEvent::Message { message }))
                    };
                    lines.into_iter().map(frame).collect()
                })
            }
            Topic::Chat(_) => match &follow.chat {
                Some((chat, me)) => self.live.timeline().chat_catch_up(chat, me, after, LIVE_CATCH_UP_PAGE_LINES).await,
                None => Ok(Vec::new()),
            },
        };
        let page: Vec<(i64, Utf8Bytes)> = page.unwrap_or_else(|err| {
            // The tab's next reconnect asks again from what it has.
            tracing::error!(error = %err, "catch-up failed");
            Vec::new()
        });
        if let Some(follow) = self.follows.get_mut(topic) {
            follow.catching_up = page.len() == LIVE_CATCH_UP_PAGE_LINES;
            if let Some((last, _)) = page.last() {
                follow.sent_up_to = *last;
            }
        }
        page.into_iter().map(|(_, frame)| frame).collect()
    }

    /// The next catch-up page of a topic that has more to send, if any
    /// ([`Connection::catch_up`]). The connection sends these before it
    /// takes the next live event, so no live line overtakes a missed one.
    pub(super) async fn next_catch_up_page(&mut self) -> Option<TabFrames> {
        let topic = self.follows.catching_up()?;
        Some(self.catch_up(&topic).await)
    }

    /// Adds `event`'s frame to `out`, unless it is for someone else or a
    /// line this tab was already sent; an event that ends the topic stops
    /// following it. Runs once per delivery: no clone of the topic, no
    /// hashing, no allocation (issue 6, S2 profile; see [`super::follows`]).
    fn live_event(&mut self, key: FollowKey, event: &HubEvent, out: &mut TabFrames) {
        let Some(follow) = self.follows.by_key_mut(key) else { return };
        match &event.kind {
            HubEventKind::Ends { only_for: Some(author) } => {
                if follow.author.as_ref().is_none_or(|(me, _)| me != author) {
                    return; // meant for someone else
                }
            }
            HubEventKind::ForManagers if !follow.managing => return,
            HubEventKind::Line { id, .. } => {
                if follow.catching_up {
                    return; // in the store: a later catch-up page sends it, in order
                }
                if *id <= follow.sent_up_to {
                    return; // already sent by a catch-up
                }
                follow.sent_up_to = *id;
            }
            _ => {}
        }
        match &event.kind {
            HubEventKind::Line { plain_frame: Some(plain), .. } if !follow.managing => out.push(plain.clone()),
            _ => out.push(event.frame.clone()),
        }
        if matches!(event.kind, HubEventKind::Ends { .. }) {
            let topic = follow.topic.clone();
            let _ = self.unfollow(&topic); // instant chats keep no last-seen time
            self.closing = self.follows.is_empty();
        }
    }

    /// True when `event` says this tab's own rights in the topic followed under `key` changed.
    fn rights_changed(&self, key: FollowKey, event: &HubEvent) -> bool {
        let HubEventKind::RightsChanged { author_id } = event.kind else { return false };
        self.follows.by_key(key).and_then(|f| f.author.as_ref()).is_some_and(|(me, _)| *me == author_id)
    }

    /// Reads this tab's rights in a room again, after the owner changed them.
    async fn read_rights(&mut self, topic: &Topic) {
        if let (Topic::Room(room_id), Some(me)) = (topic, &self.me) {
            match self.live.store.rooms().rights_of(*room_id, me.id).await {
                Ok(rights) => {
                    if let Some(follow) = self.follows.get_mut(topic) {
                        follow.managing = rights.is_some_and(|r| r.can_moderate);
                    }
                }
                Err(err) => tracing::error!(error = %err, "reading rights failed"),
            }
        }
    }
}
