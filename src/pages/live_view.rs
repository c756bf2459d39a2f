//! The live part of a room or instant chat page: the timeline, the
//! composer, and the socket that keeps them current.
//!
//! Sending: the composer clears at once and the message waits in the outbox
//! (shown as "Sending…") until the server echoes it back with its id. A
//! refused message goes back into the composer with the reason beside it, so
//! a draft is never lost; an unsent one is sent again after a reconnect with
//! the same client id, which the server stores only once.

use leptos::{html, prelude::*};

use super::{format, LocalOffset};
use crate::{
    limits::MESSAGE_MAX_CHARS,
    live::{check_message_body, ChatMessage, ClientEvent, MessageKind, Topic},
};

/// A message typed in this tab that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    client_id: String,
    body: String,
}

/// Sends one event over the live socket; false when it is not open.
type SendFn = Box<dyn Fn(&ClientEvent) -> bool>;

/// Connection state shown above the composer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Connecting,
    Live,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Reconnecting,
}

impl Link {
    /// The state's name, as the composer's `data-link` attribute shows it.
    fn name(self) -> &'static str {
        match self {
            Link::Connecting => "connecting",
            Link::Live => "live",
            Link::Reconnecting => "reconnecting",
        }
    }
}

/// The live parts of a room or chat page, all `Copy` signals.
#[derive(Clone, Copy)]
pub struct LiveState {
    topic: StoredValue<Topic>,
    my_id: i64,
    messages: RwSignal<Vec<ChatMessage>>,
    outbox: RwSignal<Vec<Pending>>,
    draft: RwSignal<String>,
    error: RwSignal<Option<String>>,
    link: RwSignal<Link>,
    /// Set when the topic is over for good (an instant chat ended): why.
    pub ended: RwSignal<Option<String>>,
    /// Sends an event over the socket; false when it is not open. Only in
    /// the browser: a thread-local value must not be made while rendering on
    /// the server, where it would be dropped on another worker thread.
    send: Option<StoredValue<Option<SendFn>, LocalStorage>>,
}

impl LiveState {
    /// State for `topic`, seen by author `my_id`, starting from `lines`.
    pub fn new(topic: Topic, my_id: i64, lines: Vec<ChatMessage>) -> LiveState {
        let state = LiveState {
            topic: StoredValue::new(topic),
            my_id,
            messages: RwSignal::new(lines),
            outbox: RwSignal::new(Vec::new()),
            draft: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            link: RwSignal::new(Link::Connecting),
            ended: RwSignal::new(None),
            send: cfg!(feature = "hydrate").then(|| StoredValue::new_local(None)),
        };
        #[cfg(feature = "hydrate")]
        connect(state);
        state
    }

    fn topic(&self) -> Topic {
        self.topic.get_value()
    }

    fn last_id(&self) -> i64 {
        self.messages.with_untracked(|m| m.last().map_or(0, |m| m.id))
    }

    fn transmit(&self, event: &ClientEvent) -> bool {
        self.send
            .and_then(|send| send.try_with_value(|f| f.as_ref().is_some_and(|f| f(event))))
            .unwrap_or(false)
    }

    /// Sends the composer's text, or explains why not.
    fn submit(&self) {
        let body = match check_message_body(&self.draft.get_untracked()) {
            Ok(body) => body,
            Err(reason) => return self.error.set(Some(reason)),
        };
        let pending = Pending { client_id: new_client_id(), body };
        self.error.set(None);
        self.draft.set(String::new());
        self.outbox.update(|o| o.push(pending.clone()));
        self.transmit(&ClientEvent::Send { topic: self.topic(), client_id: pending.client_id, body: pending.body });
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn on_event(&self, event: crate::live::ServerEvent) {
        use crate::live::ServerEvent;
        match event {
            ServerEvent::Subscribed { .. } => {
                self.link.set(Link::Live);
                for p in self.outbox.get_untracked() {
                    self.transmit(&ClientEvent::Send { topic: self.topic(), client_id: p.client_id, body: p.body });
                }
            }
            ServerEvent::Message { message } if message.topic == self.topic() => {
                if message.author_id == self.my_id {
                    self.outbox.update(|o| o.retain(|p| p.client_id != message.client_id));
                }
                if message.id > self.last_id() {
                    self.messages.update(|m| m.push(message));
                }
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
                self.error.set(Some(reason));
            }
            ServerEvent::Refused { reason, .. } => self.error.set(Some(reason)),
            ServerEvent::Ended { topic, reason } if topic == self.topic() => {
                self.outbox.set(Vec::new());
                self.ended.set(Some(reason));
            }
            ServerEvent::Message { .. } | ServerEvent::Ended { .. } => {}
        }
    }
}

/// A client message id: time plus randomness, unique per sender in practice.
fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::now() as u64;
        let r1 = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let r2 = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        format!("{now:x}-{r1:08x}{r2:08x}")
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Opens the live socket for the topic and wires it to `state`; the socket
/// closes when the page's reactive owner goes.
#[cfg(feature = "hydrate")]
fn connect(state: LiveState) {
    use crate::live::client::{LiveSocket, SocketSignal};
    let socket: StoredValue<Option<LiveSocket>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        let live = LiveSocket::connect(move |signal| match signal {
            SocketSignal::Open => {
                state.transmit(&ClientEvent::Subscribe { topic: state.topic(), after_id: state.last_id() });
            }
            SocketSignal::Event(event) => state.on_event(event),
            SocketSignal::Down { .. } => state.link.set(Link::Reconnecting),
        });
        socket.set_value(Some(live));
    });
    if let Some(send) = state.send {
        send.set_value(Some(Box::new(move |event: &ClientEvent| {
            socket.try_with_value(|s| s.as_ref().is_some_and(|s| s.send(event))).unwrap_or(false)
        })));
    }
}

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

#[component]
pub fn Composer(state: LiveState) -> impl IntoView {
    let status = move || match state.link.get() {
        Link::Connecting => "Connecting…",
        Link::Live => "",
        Link::Reconnecting => "Reconnecting… Messages you send now go out when the connection is back.",
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        state.submit();
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // Enter sends; Shift+Enter makes a new line (as in Slack and Discord).
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            state.submit();
        }
    };
    let count = move || {
        let n = state.draft.with(|d| d.trim().chars().count());
        (n > MESSAGE_MAX_CHARS - 200).then(|| format!("{n} / {MESSAGE_MAX_CHARS}"))
    };
    let ended = move || state.ended.get().is_some();
    view! {
        <form class="composer" on:submit=on_submit data-link=move || state.link.get().name()>
            {move || state.ended.get().map(|reason| view! { <p class="ended" role="alert">{reason}</p> })}
            <p class="link-status" role="status">{move || if ended() { "" } else { status() }}</p>
            <label for="composer-input" class="visually-hidden">"Message"</label>
            <textarea id="composer-input" name="body" rows="2" placeholder="Write a message…"
                aria-describedby="composer-error"
                prop:value=move || state.draft.get()
                on:input=move |ev| state.draft.set(event_target_value(&ev))
                on:keydown=on_keydown disabled=ended></textarea>
            <button type="submit" disabled=ended>"Send"</button>
            <p class="counter muted">{count}</p>
            <p id="composer-error" role="alert" class="error">{move || state.error.get()}</p>
        </form>
    }
}

