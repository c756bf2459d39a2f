//! Sending a message on a live connection.


use super::{refused, Connection, Replies};
use crate::{
    instant::service as instant,
    live::{check_message_body, hub::encode, is_valid_client_id, MessageKind, ServerEvent, Topic},
    clock::now_ms,
    store::{StoreError, WriteRefusal},
};

/// The text a muted member's refused sends carry.
pub const MUTED: &str = "You are muted in this room: an owner or moderator has to unmute you before you can send messages.";

/// What a line sent past the socket's budget gets (see
/// [`crate::limits::LIVE_LINES_BURST`]); the tab puts it back in the composer.
pub const TOO_FAST: &str = "You're sending messages too fast. Wait a few seconds, then send this one again.";

/// What a refused send of someone who may not write in the room says.
fn refusal_text(why: WriteRefusal) -> &'static str {
    match why {
        WriteRefusal::Muted => MUTED,
        WriteRefusal::NotMember => "You are not a member of this room.",
        WriteRefusal::LeftChat => super::NO_LONGER_IN_CHAT,
    }
}

impl Connection {
    /// Stores and publishes a message from this tab. Refused, with the
    /// reason, when the topic is not followed, the id or text is bad, the
    /// member is muted or no longer a member (read in the transaction that
    /// stores the line, so a mute holds from the moment it is saved) or the
    /// instant chat is over.
    pub(super) async fn send(&mut self, topic: Topic, client_id: String, body: String) -> Replies {
        let Some(follow) = self.follows.get(&topic) else {
            return vec![refused(Some(&topic), Some(client_id), self.why_not_followed(&topic).await)];
        };
        if !is_valid_client_id(&client_id) {
            return vec![refused(Some(&topic), None, "The message id is not valid; reload the page.")];
        }
        let body = match check_message_body(&body) {
            Ok(body) => body,
            Err(reason) => return vec![refused(Some(&topic), Some(client_id), &reason)],
        };
        if self.line_budget.as_ref().is_some_and(|budget| budget.check().is_err()) {
            return vec![refused(Some(&topic), Some(client_id), TOO_FAST)];
        }
        // Whoever sends a line has stopped typing it. Said before the line is
        // stored, so that no "typing" held in a typing diff can follow it.
        if let Some((author_id, name)) = &follow.author {
            self.state.hub.typing(&topic, *author_id, name, false);
        }
        let stored = match &topic {
            Topic::Room(room_id) => {
                let Some(me) = &self.me else { return Vec::new() };
                // Whether they may write (not muted, still a member) is read
                // where the line is stored, so a mute holds from its commit.
                let (store, author_id, room_id) = (&self.state.store, me.id, *room_id);
                let (client_ref, body_ref) = (&client_id, &body);
                self.state
                    .hub
                    .queue_and_publish(&topic, || async move {
                        store.messages().queue_as_member(room_id, author_id, client_ref, body_ref, now_ms()).await
                    })
                    .await
            }
            Topic::Chat(_) => {
                let Some((chat, me)) = &follow.chat else { return Vec::new() };
                if !chat.is_open(now_ms()) {
                    return vec![refused(Some(&topic), Some(client_id), "This chat has ended; messages can no longer be sent.")];
                }
                instant::append(&self.state, chat, me, MessageKind::Text, &client_id, &body).await
            }
        };
        match stored {
            // The hub delivers a new message to every follower, this tab included.
            Ok((_, true)) => Vec::new(),
            // A retry of a message stored before: tell this tab it is saved
            // (the tab ignores a message id it already shows).
            Ok((message, false)) => vec![encode(&ServerEvent::Message { message })],
            Err(StoreError::NotAllowed(why)) => vec![refused(Some(&topic), Some(client_id), refusal_text(why))],
            Err(err) => {
                tracing::error!(error = %err, "storing a message failed");
                vec![refused(Some(&topic), Some(client_id), "Your message was not saved. Please try again.")]
            }
        }
    }

    /// Why a send to a topic this tab does not follow is refused: an instant
    /// chat that is over says so; anything else must be opened first.
    pub(super) async fn why_not_followed(&self, topic: &Topic) -> &'static str {
        if let Topic::Chat(chat_id) = topic {
            let chat = self.state.store.instant_chats().get(chat_id).await.ok().flatten();
            if chat.is_none_or(|c| !c.is_open(now_ms())) {
                return "This chat has ended; messages can no longer be sent.";
            }
        }
        "Open the room before sending to it."
    }
}

