//! The timeline: messages and system lines, oldest first, kept scrolled to
//! the newest, with the tab's unconfirmed messages below as "Sending…".

use leptos::{html, prelude::*};

use super::LiveState;
use crate::{
    live::{ChatMessage, MessageKind},
    pages::{format, LocalOffset},
};

#[component]
pub fn Timeline(state: LiveState) -> impl IntoView {
    let offset = expect_context::<LocalOffset>().0;
    let list = NodeRef::<html::Ol>::new();
    // Keep the newest message in view as messages arrive.
    Effect::new(move |_| {
        state.messages.track();
        state.outbox.track();
        if let Some(el) = list.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    view! {
        <ol class="timeline" node_ref=list aria-label="Messages" aria-live="polite">
            {move || state.messages.with(|m| m.is_empty()).then(|| view! {
                <li class="empty muted">"No messages yet. Say hello!"</li>
            })}
            <For each=move || state.messages.get() key=|m| m.id let:message>
                {line(message, state.my_id, offset)}
            </For>
            <For each=move || state.outbox.get() key=|p| p.client_id.clone() let:pending>
                <li class="message pending" data-mine="true">
                    <span class="author">"You"</span>
                    <span class="muted">"Sending…"</span>
                    <p class="body">{pending.body}</p>
                </li>
            </For>
        </ol>
    }
}

/// One timeline line: a message, or a system line for joins and leaves.
fn line(message: ChatMessage, my_id: i64, offset: RwSignal<Option<i32>>) -> impl IntoView {
    let at = message.created_at;
    let time = view! {
        <time datetime=format::iso(at) title=move || format::date_time(at, offset.get())>
            {move || format::clock(at, offset.get())}
        </time>
    };
    let tag = message.author_tag.map(|tag| view! { <span class="tag" data-tag=tag.label()>{tag.label()}</span> });
    let host = message.author_tag == Some(crate::live::AuthorTag::Host);
    let notice = match message.kind {
        MessageKind::Text => None,
        MessageKind::Joined if host => Some(" started the chat"),
        MessageKind::Joined => Some(" joined"),
        MessageKind::Left => Some(" left"),
    };
    match notice {
        Some(what) => view! {
            <li class="notice" data-id=message.id>
                <span class="author">{message.author_name}</span>" "{tag}{what}" · "{time}
            </li>
        }
        .into_any(),
        None => view! {
            <li class="message" data-id=message.id data-mine=(message.author_id == my_id).to_string()>
                <span class="author">{message.author_name}</span>{tag}
                {time}
                <p class="body">{message.body}</p>
            </li>
        }
        .into_any(),
    }
}

