//! Taking a message back: its author edits its text (in a room) or deletes
//! it, those who moderate a room delete anyone's, and an instant chat's
//! host any line in it (issue 40). The tab sends
//! [`ClientEvent::Edit`] or [`ClientEvent::Delete`] on the live socket; the
//! change comes back to every tab as an edit or delete line, which
//! [`LiveState::on_change`] applies to the message it names. An editor stays
//! open until the server confirms, so a refused edit keeps what was typed.

use leptos::{html, prelude::*};

use super::{new_client_id, LiveState};
use crate::{
    i18n::{td_string, Locale},
    live::{check_message_body, ChatMessage, ClientEvent, MessageKind, Topic},
};

impl LiveState {
    /// Applies an edit or delete line to the message it names, and closes
    /// this tab's editor once its own edit is confirmed.
    pub(super) fn on_change(&self, change: ChatMessage) {
        let confirmed = self.change_pending.with_untracked(|p| p.as_deref() == Some(change.client_id.as_str()));
        if confirmed {
            self.change_pending.set(None);
            self.error.set(None);
        }
        // Closed once its own edit is saved, or when the message it edits is
        // deleted (by a moderator) meanwhile.
        let deleted_while_edited = change.kind == MessageKind::Delete && change.target_id == self.editing.get_untracked();
        if confirmed || deleted_while_edited {
            self.editing.set(None);
        }
        self.messages.update(|lines| {
            if let Some(line) = lines.iter_mut().find(|line| Some(line.id) == change.target_id) {
                line.apply_change(&change);
            }
        });
    }

    /// Whether this viewer may edit a message by `author_id` now: their own
    /// text message (`is_text`: not a file), in a room where they are not muted.
    fn may_edit(&self, author_id: i64, is_text: bool) -> bool {
        matches!(self.topic(), Topic::Room(_))
            && author_id == self.my_id
            && is_text
            && self.rights.with(|r| r.is_some_and(|r| r.can_write))
    }

    /// Whether this viewer may delete a message by `author_id` now: their
    /// own, or anyone's in a room they moderate or an instant chat they host.
    fn may_delete(&self, author_id: i64) -> bool {
        author_id == self.my_id
            || match self.topic() {
                Topic::Room(_) => self.rights.with(|r| r.is_some_and(|r| r.can_moderate)),
                Topic::Chat(_) => self.is_host(),
            }
    }

    /// Sends the edit of message `target_id` to `text`, or explains why
    /// not; an unchanged text just closes the editor.
    fn save_edit(&self, target_id: i64, text: &str, before: &str) {
        let body = match check_message_body(text) {
            Ok(body) => body,
            Err(reason) => return self.error.set(Some(reason.message(self.locale))),
        };
        if body == before {
            return self.editing.set(None);
        }
        let client_id = new_client_id();
        self.change_pending.set(Some(client_id.clone()));
        if !self.transmit(&ClientEvent::Edit { topic: self.topic(), client_id, target_id, body }) {
            self.change_pending.set(None);
            self.error.set(Some(td_string!(self.locale, live.change_offline).to_string()));
        }
    }

    /// Sends the deletion of message `target_id`.
    fn delete(&self, target_id: i64) {
        self.confirming_delete.set(None);
        if !self.transmit(&ClientEvent::Delete { topic: self.topic(), client_id: new_client_id(), target_id }) {
            self.error.set(Some(td_string!(self.locale, live.change_offline).to_string()));
        }
    }
}

/// The "Edit" and "Delete" buttons of a message this viewer may change
/// (they follow the viewer's rights live), and the question that confirms
/// a deletion.
pub fn message_controls(state: LiveState, message: &ChatMessage, locale: Locale) -> impl IntoView {
    let (id, author_id) = (message.id, message.author_id);
    let is_message = message.kind == MessageKind::Text;
    let is_text = is_message && message.attachment.is_none();
    let may_edit = move || state.may_edit(author_id, is_text);
    let may_delete = move || is_message && state.may_delete(author_id);
    let confirming = move || state.confirming_delete.get() == Some(id);
    view! {
        <span class="message-actions" role="group" aria-label=td_string!(locale, live.message_actions)>
            {move || (may_edit() && !confirming() && state.editing.get() != Some(id)).then(|| view! {
                <button type="button" class="link" on:click=move |_| {
                    state.error.set(None);
                    state.editing.set(Some(id));
                }>{td_string!(locale, live.edit)}</button>
            })}
            {move || (may_delete() && !confirming()).then(|| view! {
                <button type="button" class="link" on:click=move |_| state.confirming_delete.set(Some(id))>
                    {td_string!(locale, live.delete)}
                </button>
            })}
            {move || (may_delete() && confirming()).then(|| view! {
                <span class="confirm" role="alert">{td_string!(locale, live.delete_question)}" "</span>
                <button type="button" class="danger" on:click=move |_| state.delete(id)>{td_string!(locale, live.delete)}</button>
                <button type="button" on:click=move |_| state.confirming_delete.set(None)>{td_string!(locale, live.cancel)}</button>
            })}
        </span>
    }
}

/// The editor of message `id`, open with its text `before`: Enter or
/// "Save" saves, Shift+Enter makes a new line, Escape or "Cancel" closes.
pub fn edit_form(state: LiveState, id: i64, before: String, locale: Locale) -> impl IntoView {
    let input = NodeRef::<html::Textarea>::new();
    input.on_load(|el| {
        let _ = el.focus();
        // Selection offsets count UTF-16 units, not bytes.
        let end = el.value().encode_utf16().count() as u32;
        let _ = el.set_selection_range(end, end);
    });
    let field = format!("edit-{id}");
    let save = {
        let before = before.clone();
        move || {
            if let Some(el) = input.get_untracked() {
                state.save_edit(id, &el.value(), &before);
            }
        }
    };
    let save_on_submit = save.clone();
    let cancel = move || {
        state.editing.set(None);
        state.change_pending.set(None);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            cancel();
        } else if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            save();
        }
    };
    view! {
        <form class="edit-message" on:submit=move |ev| {
            ev.prevent_default();
            save_on_submit();
        }>
            <label for=field.clone() class="visually-hidden">{td_string!(locale, live.edit_label)}</label>
            <textarea id=field node_ref=input rows="2" on:keydown=on_keydown>{before}</textarea>
            <span class="muted hint">{td_string!(locale, live.edit_hint)}</span>
            <button type="submit">{td_string!(locale, live.save)}</button>
            <button type="button" on:click=move |_| cancel()>{td_string!(locale, live.cancel)}</button>
        </form>
    }
}
