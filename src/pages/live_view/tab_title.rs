//! While a tab is hidden, its title counts the lines others sent since it
//! was hidden ("(3) Room name · Roomlink"), as Slack's and Discord's tabs
//! do, so a glance at the browser's tab strip says something new arrived.
//! The count goes when the tab is shown again.

use leptos::prelude::*;

use super::LiveState;
use crate::live::MessageKind;

/// Keeps the document's title counting `state`'s new lines from others
/// while the tab is hidden (the Page Visibility API's `document.hidden`).
pub fn count_while_hidden(state: LiveState) {
    let newest_seen = |state: LiveState| {
        let hidden = document().hidden();
        hidden.then(|| state.last_id())
    };
    // The newest line id when the tab was hidden; `None` while it is shown.
    let hidden_after = RwSignal::new(newest_seen(state));
    let handle = window_event_listener_untyped("visibilitychange", move |_| hidden_after.set(newest_seen(state)));
    on_cleanup(move || handle.remove());
    let page_title = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let count = hidden_after.get().map_or(0, |after| {
            state.messages.with(|lines| {
                lines.iter().filter(|l| l.id > after && l.author_id != state.my_id && l.kind == MessageKind::Text).count()
            })
        });
        let doc = document();
        if page_title.with_value(Option::is_none) {
            page_title.set_value(Some(doc.title()));
        }
        let title = page_title.get_value().unwrap_or_default();
        doc.set_title(&if count > 0 { format!("({count}) {title}") } else { title });
    });
}
