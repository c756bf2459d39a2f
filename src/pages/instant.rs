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
    form_error, format, words,
    live_view::{LivePanel, LiveState},
    share::LinkField,
    ErrorPage,
};
use crate::{
    instant::{
        api::{get_instant_chat_page, EndInstantChat, JoinInstantChat, LeaveInstantChat},
        moderation::LockInstantChat,
        InstantChatInfo, InstantChatPage as ChatData, Participant,
    },
    limits::DISPLAY_NAME_MAX_CHARS,
    i18n::{plural_string, td, td_string, use_locale, Locale},
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
    let joined = move || matches!(join.value().try_get(), Some(Some(Ok(_))));
    let ended = move || matches!(end.value().try_get(), Some(Some(Ok(_))));
    let page = Resource::new(move || (id.try_get().unwrap_or_default(), joined(), ended()), |(id, _, _)| get_instant_chat_page(id));
    let locale = use_locale();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{td_string!(locale, instant.opening)}</p> }>
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
    let offset = format::local_offset();
    let ends = chat.ends_at_ms;
    let locale = use_locale();
    let people = plural_string!(locale, instant.people_here, count = chat.participants, max = chat.max_participants);
    let history = if chat.keep_history {
        td_string!(locale, instant.history_on)
    } else {
        td_string!(locale, instant.history_off)
    };
    let when = move |children: ChildrenFn| view! { <time datetime=format::iso(ends)>{children()}</time> };
    view! {
        <p class="muted">
            {td!(locale, instant.started_by, host = chat.host_name.clone(), <b> = <strong />)} " · " {people} " · "
            {td!(locale, instant.ends, date = move || format::date_time(ends, offset.get(), locale), <when>)}
        </p>
        <p class="muted">{history}</p>
        {chat.locked.then(|| view! { <p class="locked">{td_string!(locale, instant.locked_note)}</p> })}
    }
}

fn title_of(chat: &InstantChatInfo, locale: Locale) -> String {
    if chat.title.is_empty() { td_string!(locale, instant.instant_chat).to_string() } else { chat.title.clone() }
}

#[component]
fn JoinCard(chat: InstantChatInfo, account_name: Option<String>, join: ServerAction<JoinInstantChat>) -> impl IntoView {
    let error = form_error(join.value(), "join_instant_chat");
    let locale = use_locale();
    let title = title_of(&chat, locale);
    let summary = td_string!(locale, instant.summary, host = &chat.host_name).to_string();
    let id = chat.id.clone();
    let who = match account_name {
        Some(account) => view! {
            <input type="hidden" name="name" value="" />
            <p>{td!(locale, instant.join_as_account, name = account.clone(), <b> = <strong />)}</p>
            <button type="submit" class="primary" disabled=move || join.pending().try_get().unwrap_or(false)>
                {td_string!(locale, instant.join_as_button, name = &account).to_string()}
            </button>
        }
        .into_any(),
        None => view! {
            <label for="display-name">{td_string!(locale, instant.your_name)}</label>
            <div class="row">
                <input id="display-name" name="name" required maxlength=DISPLAY_NAME_MAX_CHARS
                    autocomplete="nickname" placeholder=td_string!(locale, instant.your_name_placeholder)
                    aria-describedby="join-error" />
                <button type="submit" class="primary" disabled=move || join.pending().try_get().unwrap_or(false)>{td_string!(locale, instant.join_button)}</button>
            </div>
            <p class="muted">{td_string!(locale, instant.guest_note)}</p>
        }
        .into_any(),
    };
    view! {
        <super::PageTitle text=td_string!(locale, instant.page_title, title = &title).to_string() />
        <Meta name="description" content=summary.clone() />
        <Meta property="og:title" content=td_string!(locale, instant.og_title, title = &title).to_string() />
        <Meta property="og:description" content=summary />
        <Meta property="og:type" content="website" />
        <Meta property="og:locale" content=td_string!(locale, og_locale) />
        <Meta name="twitter:card" content="summary" />
        <Meta name="robots" content="noindex" />
        <section class="card invite">
            <p class="muted">{td_string!(locale, instant.instant_chat)}</p>
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

/// The host's "Lock chat" / "Unlock chat": a form, so it works before the
/// page's code has loaded; the page says so while the chat is locked.
#[component]
fn LockToggle(id: String, locked: bool) -> impl IntoView {
    let lock = ServerAction::<LockInstantChat>::new();
    let locked = RwSignal::new(locked);
    let requested = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if let Some(input) = lock.input().get() {
            requested.set(Some(input.locked.is_some()));
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(want)) = (lock.value().try_get().flatten(), requested.get_untracked()) {
            locked.set(want);
        }
    });
    let locale = use_locale();
    let error = form_error(lock.value(), "lock_instant_chat");
    view! {
        <ActionForm action=lock attr:class="inline">
            <input type="hidden" name="id" value=id />
            {move || (!locked.get()).then(|| view! { <input type="hidden" name="locked" value="on" /> })}
            <button type="submit" class="secondary" disabled=move || lock.pending().try_get().unwrap_or(false)>
                {move || if locked.get() { td_string!(locale, instant.unlock) } else { td_string!(locale, instant.lock) }}
            </button>
            <p role="status" class="muted">{move || locked.get().then(|| td_string!(locale, instant.locked_note))}</p>
            <p role="alert" class="error">{error}</p>
        </ActionForm>
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
    let locale = use_locale();
    let title = title_of(&chat, locale);
    let id = chat.id.clone();
    let qr = format!("/instant-chat/{}/qr.svg", chat.id);
    let is_host = me.tag == AuthorTag::Host;
    let close = if is_host {
        view! {
            <LockToggle id=id.clone() locked=chat.locked />
            <ActionForm action=end attr:class="inline">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="danger" disabled=move || end.pending().try_get().unwrap_or(false) || state.ended.get().is_some()>
                    {td_string!(locale, instant.end_for_everyone)}
                </button>
                <p role="alert" class="error">{end_error}</p>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=leave attr:class="inline">
                <input type="hidden" name="id" value=id />
                <button type="submit" disabled=move || leave.pending().try_get().unwrap_or(false)>{td_string!(locale, instant.leave)}</button>
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
                    <p class="muted">
                        {td!(locale, instant.you_are, name = me.name.clone(), <b> = <strong />)} " "
                        <span class="tag" data-tag=me.tag.label()>{words::tag_name(locale, me.tag)}</span>
                    </p>
                </div>
                <div class="share">
                    <LinkField id="chat-url" label=td_string!(locale, instant.chat_link) url=chat.url.clone() />
                    <details>
                        <summary>{td_string!(locale, instant.qr_code)}</summary>
                        <img class="qr" src=qr width="240" height="240" alt=td_string!(locale, instant.qr_alt) />
                    </details>
                    {close}
                </div>
            </header>
            <LivePanel state />
        </section>
    }
    .into_any()
}
