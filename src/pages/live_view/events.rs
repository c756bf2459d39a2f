//! What a tab does with each event the server sends: lines into the
//! timeline (and the outbox emptied of those confirmed), who is online and
//! typing, members' rights, join requests waiting (for moderators), and the
//! end of an instant chat.

use std::collections::BTreeSet;

use super::{Link, LiveState};
use crate::live::{ChatMessage, ClientEvent, MemberView, MessageKind, ServerEvent};
use leptos::prelude::*;

impl LiveState {
    /// Applies one event from the server to this tab's state; events of
    /// another topic are ignored.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn on_event(&self, event: ServerEvent) {
        match event {
            ServerEvent::Subscribed { .. } => {
                self.link.set(Link::Live);
                // The server says right after this if any join requests wait.
                self.join_requests.set(0);
                self.typing_said_at.set(0.0);
                self.read_up_to.set(0);
                for p in self.outbox.get_untracked() {
                    self.transmit(&ClientEvent::Send { topic: self.topic(), client_id: p.client_id, body: p.body });
                }
                self.mark_read(); // the page opens at the newest line
            }
            ServerEvent::Message { message } if message.topic == self.topic() => self.on_message(message),
            ServerEvent::Refused { client_id: Some(client_id), reason, .. }
                if self.change_pending.with_untracked(|p| p.as_ref() == Some(&client_id)) =>
            {
                // The editor stays open with the new text.
                self.change_pending.set(None);
                self.error.set(Some(reason.message(self.locale)));
            }
            ServerEvent::Refused { client_id: Some(client_id), reason, .. } => {
                let mut refused = None;
                self.outbox.update(|o| {
                    if let Some(i) = o.iter().position(|p| p.client_id == client_id) {
                        refused = Some(o.remove(i));
                    }
                });
                if let Some(p) = refused {
                    // Give the text back: a refused draft is never lost.
                    self.draft.update(|d| *d = if d.trim().is_empty() { p.body } else { format!("{}\n{d}", p.body) });
                }
                self.error.set(Some(reason.message(self.locale)));
            }
            ServerEvent::Refused { reason, .. } => self.error.set(Some(reason.message(self.locale))),
            ServerEvent::Presence { topic, online } if topic == self.topic() => {
                self.online.set(online.into_iter().collect());
            }
            ServerEvent::PresenceDiff { topic, joins, leaves } if topic == self.topic() => {
                // One update per diff, however many people it names.
                self.online.update(|set| {
                    set.extend(joins.iter().copied());
                    for left in &leaves {
                        set.remove(&left.author_id);
                    }
                });
                if !leaves.is_empty() {
                    // Whoever left stopped typing, whenever that diff comes.
                    self.typing.update(|list| list.retain(|(id, _)| leaves.iter().all(|l| l.author_id != *id)));
                    let seen: std::collections::HashMap<i64, i64> = leaves.iter().map(|l| (l.author_id, l.last_seen_at)).collect();
                    self.members.update(|list| {
                        for m in list.iter_mut() {
                            if let Some(&at) = seen.get(&m.id) {
                                m.last_seen_at = Some(at);
                            }
                        }
                    });
                }
            }
            ServerEvent::TypingDiff { topic, started, stopped } if topic == self.topic() => {
                // One update per diff, however many people it names; those
                // who start again keep their place in the line.
                let me = self.my_id;
                self.typing.update(|list| {
                    list.retain(|(id, _)| !stopped.contains(id));
                    for typist in started.into_iter().filter(|t| t.author_id != me) {
                        if !list.iter().any(|(id, _)| *id == typist.author_id) {
                            list.push((typist.author_id, typist.author_name));
                        }
                    }
                });
            }
            ServerEvent::MemberUpdated { topic, member } if topic == self.topic() => {
                if member.id == self.my_id {
                    self.rights.set(member.rights);
                }
                self.members.update(|list| {
                    if let Some(m) = list.iter_mut().find(|m| m.id == member.id) {
                        *m = MemberView { last_seen_at: m.last_seen_at, ..member };
                    }
                });
            }
            ServerEvent::JoinRequests { topic, pending } if topic == self.topic() => self.join_requests.set(pending),
            ServerEvent::Ended { topic, reason } if topic == self.topic() => {
                self.outbox.set(Vec::new());
                self.typing.set(Vec::new());
                self.online.set(BTreeSet::new());
                self.ended.set(Some(reason.message(self.locale)));
            }
            _ => {} // another topic's event
        }
    }

    /// A line: into the timeline once (by id), out of the outbox and the
    /// typing line, and into or out of the member list for joins and leaves.
    /// An edit or delete line changes the message it names instead (again
    /// when a catch-up repeats it: that changes nothing more).
    pub(super) fn on_message(&self, message: ChatMessage) {
        if message.kind.is_change() {
            return self.on_change(message);
        }
        if message.author_id == self.my_id {
            self.outbox.update(|o| o.retain(|p| p.client_id != message.client_id));
        }
        // Whoever sent something has stopped typing it.
        self.typing.update(|list| list.retain(|(id, _)| *id != message.author_id));
        match message.kind {
            MessageKind::Joined => self.members.update(|list| {
                if !list.iter().any(|m| m.id == message.author_id) {
                    list.push(MemberView {
                        id: message.author_id,
                        name: message.author_name.clone(),
                        tag: message.author_tag,
                        // Known once the page is reloaded or rights change.
                        rights: None,
                        last_seen_at: None,
                    });
                }
            }),
            MessageKind::Left | MessageKind::Removed | MessageKind::Banned | MessageKind::AccountDeleted => {
                self.members.update(|list| list.retain(|m| m.id != message.author_id));
                self.online.update(|set| {
                    set.remove(&message.author_id);
                });
            }
            MessageKind::Renamed => self.renamed.set(Some(message.body.clone())),
            MessageKind::Text | MessageKind::Deleted | MessageKind::Edit | MessageKind::Delete => {}
        }
        if message.id > self.last_id() {
            self.messages.update(|m| m.push(message));
        }
    }
}
