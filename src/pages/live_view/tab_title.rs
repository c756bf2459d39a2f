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
    // The title without the count, and the one this last set: when the
    // document's title is not what this set, the page changed it (the room
    // was renamed, or the page's own title came after this started), and
    // that is the title to count on.
    let (plain, shown) = (StoredValue::new(String::new()), StoredValue::new(None::<String>));
    Effect::new(move |_| {
        let count = hidden_after.get().map_or(0, |after| {
            state.messages.with(|lines| {
                lines.iter().filter(|l| l.id > after && l.author_id != state.my_id && l.kind == MessageKind::Text).count()
            })
        });
        let doc = document();
        let now = doc.title();
        if shown.with_value(|s| s.as_deref() != Some(now.as_str())) {
            plain.set_value(now.clone());
        }
        let title = plain.with_value(|plain| if count > 0 { format!("({count}) {plain}") } else { plain.clone() });
        if title != now {
            doc.set_title(&title);
        }
        shown.set_value(Some(title));
    });
}
