//! `/instant-chat/<id>`: an instant chat. Strangers see what they are joining
//! and pick a name; people in it get the live chat, the link with its QR
//! code, and Leave (or, for the host, End chat for everyone).
//!
//! Rendering changes nothing; joining, leaving and ending are POSTs
//! ([`crate::instant::api`]) that also work as plain forms.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

use super::{
    form_error, format,
    live_view::{LivePanel, LiveState},
    share::LinkField,
    ErrorPage, LocalOffset,
};
use crate::{
    instant::{
        api::{get_instant_chat_page, EndInstantChat, JoinInstantChat, LeaveInstantChat},
        InstantChatInfo, InstantChatPage as ChatData, Participant,
    },
    limits::DISPLAY_NAME_MAX_CHARS,
    live::{AuthorTag, Topic},
};

/// `/instant-chat/:id`.
#[component]
pub fn InstantChatPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let join = ServerAction::<JoinInstantChat>::new();
    let end = ServerAction::<EndInstantChat>::new();
    // Fetch again after a successful join or end only: a refused join keeps
    // the form, and what was typed in it, as it is.
    let joined = move || matches!(join.value().get(), Some(Ok(_)));
    let ended = move || matches!(end.value().get(), Some(Ok(_)));
    let page = Resource::new(move || (id.get(), joined(), ended()), |(id, _, _)| get_instant_chat_page(id));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Opening the chat…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(ChatData { chat, me: Some(me), lines, members, .. }) => {
                        view! { <Chat chat me lines members end /> }.into_any()
                    }
                    Ok(ChatData { chat, account_name, .. }) => view! { <JoinCard chat account_name join /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Started by Ana · 3 of 50 people · ends 21 Nov, 14:05".
#[component]
fn Facts(chat: InstantChatInfo) -> impl IntoView {
    let offset = expect_context::<LocalOffset>().0;
    let ends = chat.ends_at_ms;
    let people = match chat.participants {
        1 => format!("1 person here (at most {})", chat.max_participants),
        n => format!("{n} people here (at most {})", chat.max_participants),
    };
    let history = if chat.keep_history {
        "History is on: people who join later see what was said before."
    } else {
        "History is off: nothing is saved, and people see only what is said after they join."
    };
    view! {
        <p class="muted">
            "Started by " <strong>{chat.host_name}</strong> " · " {people} " · ends "
            <time datetime=format::iso(ends)>{move || format::date_time(ends, offset.get())}</time>
        </p>
        <p class="muted">{history}</p>
    }
}

fn title_of(chat: &InstantChatInfo) -> String {
    if chat.title.is_empty() { "Instant chat".to_string() } else { chat.title.clone() }
}

#[component]
fn JoinCard(chat: InstantChatInfo, account_name: Option<String>, join: ServerAction<JoinInstantChat>) -> impl IntoView {
    let error = form_error(join.value(), "join_instant_chat");
    let title = title_of(&chat);
    let summary = format!("{} invited you to an instant chat on Roomlink. No account needed: pick a name and talk.", chat.host_name);
    let id = chat.id.clone();
    let who = match account_name {
        Some(account) => view! {
            <input type="hidden" name="name" value="" />
            <p>"You will join as " <strong>{account.clone()}</strong> ", your Roomlink account."</p>
            <button type="submit" class="primary" disabled=move || join.pending().get()>"Join as " {account}</button>
        }
        .into_any(),
        None => view! {
            <label for="display-name">"Your name"</label>
            <div class="row">
                <input id="display-name" name="name" required maxlength=DISPLAY_NAME_MAX_CHARS
                    autocomplete="nickname" placeholder="How the others will see you"
                    aria-describedby="join-error" />
                <button type="submit" class="primary" disabled=move || join.pending().get()>"Join chat"</button>
            </div>
            <p class="muted">"You will be shown as a guest. No account needed."</p>
        }
        .into_any(),
    };
    view! {
        <super::PageTitle text=format!("Join {title}") />
        <Meta name="description" content=summary.clone() />
        <Meta property="og:title" content=format!("{title} · instant chat on Roomlink") />
        <Meta property="og:description" content=summary />
        <Meta property="og:type" content="website" />
        <Meta name="twitter:card" content="summary" />
        <Meta name="robots" content="noindex" />
        <section class="card invite">
            <p class="muted">"Instant chat"</p>
            <h1>{title}</h1>
            <Facts chat />
            <ActionForm action=join>
                <input type="hidden" name="id" value=id />
                {who}
                <p id="join-error" role="alert" class="error">{error}</p>
            </ActionForm>
        </section>
    }
}

#[component]
fn Chat(
    chat: InstantChatInfo,
    me: Participant,
    lines: Vec<crate::live::ChatMessage>,
    members: Vec<crate::live::MemberView>,
    end: ServerAction<EndInstantChat>,
) -> impl IntoView {
    let state = LiveState::new(Topic::Chat(chat.id.clone()), me.id, lines, members);
    let leave = ServerAction::<LeaveInstantChat>::new();
    let leave_error = form_error(leave.value(), "leave_instant_chat");
    let end_error = form_error(end.value(), "end_instant_chat");
    let title = title_of(&chat);
    let id = chat.id.clone();
    let qr = format!("/instant-chat/{}/qr.svg", chat.id);
    let is_host = me.tag == AuthorTag::Host;
    let close = if is_host {
        view! {
            <ActionForm action=end attr:class="inline">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="danger" disabled=move || end.pending().get() || state.ended.get().is_some()>
                    "End chat for everyone"
                </button>
                <p role="alert" class="error">{end_error}</p>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=leave attr:class="inline">
                <input type="hidden" name="id" value=id />
                <button type="submit" disabled=move || leave.pending().get()>"Leave chat"</button>
                <p role="alert" class="error">{leave_error}</p>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <super::PageTitle text=title.clone() />
        <section class="room">
            <header class="room-head">
                <div>
                    <h1>{title}</h1>
                    <Facts chat=chat.clone() />
                    <p class="muted">"You are " <strong>{me.name}</strong> " " <span class="tag" data-tag=me.tag.label()>{me.tag.label()}</span></p>
                </div>
                <div class="share">
                    <LinkField id="chat-url" label="Chat link" url=chat.url.clone() />
                    <details>
                        <summary>"QR code"</summary>
                        <img class="qr" src=qr width="240" height="240" alt="QR code of the chat link, for a phone camera" />
                    </details>
                    {close}
                </div>
            </header>
            <LivePanel state />
        </section>
    }
    .into_any()
}
