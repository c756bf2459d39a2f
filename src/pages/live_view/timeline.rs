//! The timeline: messages and system lines, oldest first, with the tab's
//! unconfirmed messages below as "Sending…". It opens at the newest line;
//! scrolling to the top loads the page before (keyset paging on id) without
//! moving what the reader looks at; a line arriving while the reader is
//! scrolled up shows a "New messages" button instead of jumping.

use leptos::{html, prelude::*};

use super::{
    changes::{edit_form, message_controls},
    message_text::linked,
    LiveState,
};
use crate::{
    attachments::{clock, Attachment, AttachmentKind},
    limits::ROOM_HISTORY_PAGE,
    i18n::{plural_string, td_string, use_locale, Locale},
    live::{ChatMessage, MessageKind},
    rooms::history::older_lines,
    pages::{format, words},
};

/// Within this many pixels of the bottom counts as "at the newest".
const NEAR_BOTTOM_PX: i32 = 48;
/// Within this many pixels of the top, the page before is loaded.
const NEAR_TOP_PX: i32 = 64;

#[component]
pub fn Timeline(state: LiveState) -> impl IntoView {
    let offset = format::local_offset();
    let locale = use_locale();
    let list = NodeRef::<html::Ol>::new();
    let at_bottom = RwSignal::new(true);
    let unseen = RwSignal::new(0usize);
    let has_older = RwSignal::new(state.messages.with_untracked(|m| m.len() >= ROOM_HISTORY_PAGE));
    let loading = RwSignal::new(false);
    let to_bottom = move || {
        if let Some(el) = list.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
        unseen.set(0);
        state.mark_read();
    };
    // Coming back to the tab at the newest line reads it.
    let _visible = window_event_listener(leptos::ev::focus, move |_| {
        if at_bottom.get_untracked() {
            state.mark_read();
        }
    });
    #[cfg(feature = "hydrate")]
    super::tab_title::count_while_hidden(state);
    // New lines at the end: follow them when the reader is at the newest (or
    // sent them); otherwise count them on the "New messages" button.
    let newest = RwSignal::new(None::<i64>);
    let pending = RwSignal::new(0usize);
    Effect::new(move |first: Option<()>| {
        let last = state.messages.with(|m| m.last().map(|m| (m.id, m.author_id)));
        let outbox = state.outbox.with(Vec::len);
        let grew = last.map(|(id, _)| id) != newest.get_untracked();
        let sent = outbox > pending.get_untracked();
        newest.set(last.map(|(id, _)| id));
        pending.set(outbox);
        let mine = last.is_some_and(|(_, author)| author == state.my_id);
        if first.is_none() || sent || (grew && (at_bottom.get_untracked() || mine)) {
            to_bottom();
        } else if grew {
            unseen.update(|n| *n += 1);
        }
        // Otherwise older lines were added at the top: leave the view be.
    });
    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else { return };
        let bottom = el.scroll_height() - el.scroll_top() - el.client_height() < NEAR_BOTTOM_PX;
        at_bottom.set(bottom);
        if bottom {
            unseen.set(0);
            state.mark_read();
        }
        if el.scroll_top() < NEAR_TOP_PX && has_older.get_untracked() && !loading.get_untracked() {
            load_older(state, list, has_older, loading);
        }
    };
    view! {
        <div class="timeline-wrap">
            <ol class="timeline" node_ref=list aria-label=td_string!(locale, live.messages) aria-live="polite" on:scroll=on_scroll>
                {move || loading.get().then(|| view! { <li class="muted loading">{td_string!(locale, live.loading_earlier)}</li> })}
                {move || state.messages.with(|m| m.is_empty()).then(|| view! {
                    <li class="empty muted">{td_string!(locale, live.empty)}</li>
                })}
                // Keyed by what an edit or deletion changes, so a changed
                // line is drawn again.
                <For each=move || state.messages.get() key=|m| (m.id, m.kind, m.edited_at) let:message>
                    {line(message, state, offset, locale)}
                </For>
                <For each=move || state.outbox.get() key=|p| p.client_id.clone() let:pending>
                    <li class="message pending" data-mine="true">
                        <span class="author">{td_string!(locale, live.you)}</span>
                        <span class="muted">{td_string!(locale, live.sending)}</span>
                        <p class="body">{pending.body}</p>
                    </li>
                </For>
                <For each=move || state.uploading.get() key=|p| p.client_id.clone() let:upload>
                    <li class="message pending" data-mine="true">
                        <span class="author">{td_string!(locale, live.you)}</span>
                        <span class="muted">{upload.body}</span>
                    </li>
                </For>
            </ol>
            {move || (unseen.get() > 0).then(|| view! {
                <button type="button" class="new-messages" on:click=move |_| to_bottom()>
                    {move || plural_string!(locale, live.new_messages, count = unseen.get())}
                </button>
            })}
        </div>
    }
}

/// Loads the page before the oldest line shown and keeps the reading
/// position where it was.
fn load_older(state: LiveState, list: NodeRef<html::Ol>, has_older: RwSignal<bool>, loading: RwSignal<bool>) {
    let Some(before_id) = state.messages.with_untracked(|m| m.first().map(|m| m.id)) else { return };
    loading.set(true);
    leptos::task::spawn_local(async move {
        let page = older_lines(state.topic().to_string(), before_id).await;
        loading.set(false);
        let Ok(page) = page else { return }; // try again on the next scroll
        has_older.set(page.len() >= ROOM_HISTORY_PAGE);
        if page.is_empty() {
            return;
        }
        let height_before = list.get_untracked().map_or(0, |el| el.scroll_height());
        state.messages.update(|m| {
            let oldest = m.first().map_or(i64::MAX, |m| m.id);
            let mut older: Vec<ChatMessage> = page.into_iter().filter(|l| l.id < oldest).collect();
            older.append(m);
            *m = older;
        });
        request_animation_frame(move || {
            if let Some(el) = list.get_untracked() {
                el.set_scroll_top(el.scroll_top() + el.scroll_height() - height_before);
            }
        });
    });
}

/// One timeline line: a message (with "Edit" and "Delete" for those who
/// may, and its editor while it is edited), a "message deleted" marker, or
/// a system line for joins and leaves.
fn line(message: ChatMessage, state: LiveState, offset: format::LocalOffset, locale: Locale) -> impl IntoView {
    let at = message.created_at;
    let time = view! {
        <time datetime=format::iso(at) title=move || format::date_time(at, offset.get(), locale)>
            {move || format::clock(at, offset.get(), locale)}
        </time>
    };
    let tag = message.author_tag.map(|tag| view! { <span class="tag" data-tag=tag.label()>{words::tag_name(locale, tag)}</span> });
    let author = words::person(locale, &message.author_name);
    if message.kind == MessageKind::Deleted {
        // Who deleted it reaches only those who moderate (ChatMessage::hide_moderation_details).
        let what = match message.actor_name.as_deref().map(|by| words::person(locale, by)) {
            Some(by) => td_string!(locale, live.deleted_by, by).to_string(),
            None => td_string!(locale, live.deleted).to_string(),
        };
        return view! {
            <li class="message deleted" data-id=message.id>
                <span class="author">{author}</span>{tag}{time}
                <p class="body muted">{what}</p>
            </li>
        }
        .into_any();
    }
    if let Some(words) = notice_words(&message, locale) {
        let what = format!(" {words}");
        return view! {
            <li class="notice" data-id=message.id>
                <span class="author">{author}</span>" "{tag}{what}" · "{time}
            </li>
        }
        .into_any();
    }
    let id = message.id;
    let controls = message_controls(state, &message, locale);
    let edited = message.edited_at.map(|when| {
        let said = move || td_string!(locale, live.edited_at, when = format::date_time(when, offset.get(), locale)).to_string();
        view! { <span class="edited muted" tabindex="0" title=said aria-label=said data-when=said>{td_string!(locale, live.edited)}</span> }
    });
    let attachment = message.attachment.map(|a| attachment_view(a, &author, locale));
    let text = message.body;
    let body = move || match state.editing.get() == Some(id) {
        true => edit_form(state, id, text.clone(), locale).into_any(),
        false if text.is_empty() => ().into_any(),
        false => view! { <p class="body">{linked(&text)}{edited.clone()}</p> }.into_any(),
    };
    view! {
        <li class="message" data-id=id data-mine=(message.author_id == state.my_id).to_string()>
            <span class="author">{author}</span>{tag}
            {time}
            {controls}
            {body}
            {attachment}
        </li>
    }
    .into_any()
}


/// What a system line says after its author's name, in the reader's
/// language: "joined via ana's link “Newsletter”", "entrou pelo link
/// “Newsletter” de ana". The line is stored language-neutral (its kind, its
/// actor and its invite link: [`ChatMessage`]), so each reader sees it in
/// their own words, lines stored before the languages came included.
/// `None` for a message.
pub fn notice_words(message: &ChatMessage, locale: Locale) -> Option<String> {
    let host = message.author_tag == Some(crate::live::AuthorTag::Host);
    let by = message.actor_name.as_deref().map(|name| words::person(locale, name));
    let by = by.as_deref();
    let words = match message.kind {
        MessageKind::Text | MessageKind::Deleted | MessageKind::Edit | MessageKind::Delete => return None,
        MessageKind::Joined if host => td_string!(locale, live.started_chat).to_string(),
        MessageKind::Joined => match (&message.via_invite, by) {
            // Only those who manage links get these (see ChatMessage::hide_moderation_details).
            (Some((_, label)), Some(maker)) if !label.is_empty() => {
                td_string!(locale, live.joined_via_label, maker, label).to_string()
            }
            (Some((id, _)), Some(maker)) => td_string!(locale, live.joined_via_id, maker, id).to_string(),
            _ => td_string!(locale, live.joined).to_string(),
        },
        MessageKind::Left => td_string!(locale, live.left).to_string(),
        MessageKind::AccountDeleted => td_string!(locale, live.account_deleted).to_string(),
        MessageKind::Renamed => td_string!(locale, live.renamed, name = &message.body).to_string(),
        MessageKind::Removed if message.author_tag.is_some() => td_string!(locale, live.removed_by_host).to_string(),
        MessageKind::Removed => match by {
            Some(by) => td_string!(locale, live.removed_by, by).to_string(),
            None => td_string!(locale, live.removed_by_moderator).to_string(),
        },
        MessageKind::Banned => match by {
            Some(by) => td_string!(locale, live.banned_by, by).to_string(),
            None => td_string!(locale, live.banned_by_moderator).to_string(),
        },
    };
    Some(words)
}

/// An image, inline with its size reserved before it loads (a click opens
/// it full size), or a voice message with a player and its length.
fn attachment_view(attachment: Attachment, author: &str, locale: Locale) -> AnyView {
    let url = attachment.url.clone();
    match attachment.kind {
        AttachmentKind::Image => view! {
            <a class="attachment image" href=url.clone() target="_blank" rel="noopener">
                <img src=url.clone() alt=td_string!(locale, live.image_from, author).to_string() loading="lazy" decoding="async"
                    width=attachment.width height=attachment.height />
            </a>
        }
        .into_any(),
        AttachmentKind::Voice => {
            let length = clock(attachment.duration_ms.unwrap_or_default());
            view! {
                <figure class="attachment voice">
                    <audio controls preload="metadata" src=url
                        aria-label=td_string!(locale, live.voice_from, author, length = &length).to_string()></audio>
                    <figcaption class="muted">{td_string!(locale, live.voice_caption, length = &length).to_string()}</figcaption>
                </figure>
            }
            .into_any()
        }
    }
}
