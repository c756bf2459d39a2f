//! Sending a message on a live connection, and editing or deleting one.


use super::{refused, Connection, TabFrames};
use crate::{
    clock::now_ms,
    error::Refusal,
    live::{
        check_message_body,
        hub::encode,
        is_valid_client_id,
        timeline::{refusal, NewLine, PostError},
        ChatMessage, MessageKind, ServerEvent, Topic,
    },
    store::{Change, StoreError},
};


impl Connection {
    /// Stores and publishes a message from this tab. Refused, with the
    /// reason, when the topic is not followed, the id or text is bad, the
    /// member is muted or no longer a member (read in the transaction that
    /// stores the line, so a mute holds from the moment it is saved) or the
    /// instant chat is over.
    pub(super) async fn send(&mut self, topic: Topic, client_id: String, body: String) -> TabFrames {
        let Some(follow) = self.follows.get(&topic) else {
            return vec![refused(Some(&topic), Some(client_id), self.why_not_followed(&topic).await)];
        };
        if !is_valid_client_id(&client_id) {
            return vec![refused(Some(&topic), None, Refusal::BadMessageId)];
        }
        let body = match check_message_body(&body) {
            Ok(body) => body,
            Err(reason) => return vec![refused(Some(&topic), Some(client_id), reason)],
        };
        if self.line_budget.as_ref().is_some_and(|budget| budget.check().is_err()) {
            return vec![refused(Some(&topic), Some(client_id), Refusal::TooFast)];
        }
        // Whoever sends a line has stopped typing it. Said before the line is
        // stored, so that no "typing" held in a typing diff can follow it.
        if let Some((author_id, name)) = &follow.author {
            self.live.hub.typing(&topic, *author_id, name, false);
        }
        let stored = match &topic {
            Topic::Room(room_id) => {
                let Some(me) = &self.me else { return Vec::new() };
                let line = NewLine::RoomText { room_id: *room_id, author_id: me.id, body: &body };
                self.live.timeline().post(line, &client_id).await
            }
            Topic::Chat(_) => {
                let Some((chat, me)) = &follow.chat else { return Vec::new() };
                if !chat.is_open(now_ms()) {
                    return vec![refused(Some(&topic), Some(client_id), Refusal::ChatOver)];
                }
                let line = NewLine::ChatLine { chat, author: me, kind: MessageKind::Text, body: &body };
                self.live.timeline().post(line, &client_id).await
            }
        };
        answer(stored, &topic, client_id, "storing a message failed")
    }

    /// Edits or deletes a message in a followed room (see
    /// [`crate::live::timeline::Timeline::change_message`]), or deletes a
    /// line in a followed instant chat (see
    /// [`crate::live::timeline::Timeline::delete_chat_line`]; lines there are
    /// not edited). Refused, with the reason, when the topic is not
    /// followed, the id is bad, the tab is over its line budget, or the
    /// rules refuse it. The change line reaches every follower, this tab included.
    pub(super) async fn change(&mut self, topic: Topic, client_id: String, target_id: i64, change: Change<'_>) -> TabFrames {
        let Some(follow) = self.follows.get(&topic) else {
            return vec![refused(Some(&topic), Some(client_id), Refusal::OpenRoomFirst)];
        };
        if !is_valid_client_id(&client_id) {
            return vec![refused(Some(&topic), None, Refusal::BadMessageId)];
        }
        if self.line_budget.as_ref().is_some_and(|budget| budget.check().is_err()) {
            return vec![refused(Some(&topic), Some(client_id), Refusal::TooFast)];
        }
        let timeline = self.live.timeline();
        let changed = match (&topic, &self.me, &follow.chat, change) {
            (Topic::Room(room_id), Some(me), _, change) => {
                timeline.change_message((*room_id, me.id), target_id, change, &client_id, &self.live.uploads).await
            }
            (Topic::Chat(_), _, Some((chat, me)), Change::Delete) => {
                if !chat.is_open(now_ms()) {
                    return vec![refused(Some(&topic), Some(client_id), Refusal::ChatOver)];
                }
                timeline.delete_chat_line(chat, me, target_id, &client_id, &self.live.uploads).await
            }
            (Topic::Chat(_), _, _, Change::Edit(_)) => {
                return vec![refused(Some(&topic), Some(client_id), Refusal::NothingToEdit)];
            }
            _ => return vec![refused(Some(&topic), Some(client_id), Refusal::NotYourMessage)],
        };
        answer(changed, &topic, client_id, "changing a message failed")
    }

    /// Why a send to a topic this tab does not follow is refused: an instant
    /// chat that is over says so; anything else must be opened first.
    pub(super) async fn why_not_followed(&self, topic: &Topic) -> Refusal {
        if let Topic::Chat(chat_id) = topic {
            let chat = self.live.store.instant_chats().get(chat_id).await.ok().flatten();
            if chat.is_none_or(|c| !c.is_open(now_ms())) {
                return Refusal::ChatOver;
            }
        }
        Refusal::OpenRoomFirst
    }
}

/// What this tab is told about a line it posted (`client_id`, in `topic`):
/// nothing for a new line (the hub delivers it to every follower, this tab
/// included); the line again for a retry of one stored before (the tab
/// ignores an id it already shows); else why it was refused. A fault is
/// logged with `fault`.
fn answer(posted: Result<(ChatMessage, bool), PostError>, topic: &Topic, client_id: String, fault: &str) -> TabFrames {
    match posted {
        Ok((_, true)) => Vec::new(),
        Ok((message, false)) => vec![encode(&ServerEvent::Message { message })],
        Err(PostError::Store(StoreError::NotAllowed(why))) => vec![refused(Some(topic), Some(client_id), refusal(why))],
        Err(err) => {
            tracing::error!(error = %err, "{fault}");
            vec![refused(Some(topic), Some(client_id), Refusal::NotSaved)]
        }
    }
}
