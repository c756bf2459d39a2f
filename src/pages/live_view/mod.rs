//! The live part of a room or instant chat page: the member list with who
//! is online, the timeline, who is typing, the composer, and the socket that
//! keeps them current.
//!
//! Sending: the composer clears at once and the message waits in the outbox
//! (shown as "Sending…") until the server echoes it back with its id. A
//! refused message goes back into the composer with the reason beside it, so
//! a draft is never lost; an unsent one is sent again after a reconnect with
//! the same client id, which the server stores only once.
//!
//! Typing: the tab says "typing" at most every 3 s while keys are pressed,
//! and "stopped" when the message is sent, the input is emptied or loses
//! focus, or 5 s pass without a keystroke (see [`crate::limits`]).

mod attach;
mod changes;
mod composer;
mod events;
mod members;
mod message_text;
mod permissions;
#[cfg(feature = "hydrate")]
mod tab_title;
mod timeline;

use std::collections::BTreeSet;

use leptos::prelude::*;

use composer::Composer;
use members::{MemberList, TypingLine};
use timeline::Timeline;

/// Everything live under a room's or chat's header: who is here, the
/// timeline, who is typing, and the composer.
#[component]
pub fn LivePanel(state: LiveState) -> impl IntoView {
    // Erased to `AnyView`: the nested view type is otherwise too deep for
    // rustc's layout queries in the wasm release build.
    view! {
        <MemberList state />
        <Timeline state />
        <TypingLine state />
        <Composer state />
    }
    .into_any()
}

use crate::live::{check_message_body, ChatMessage, ClientEvent, MemberView, Topic};

/// Least time between two "read up to" reports from a tab, in milliseconds.
#[cfg(feature = "hydrate")]
const READ_REPORT_EVERY_MS: u32 = 1_000;

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
    /// The language the page is in, for words made outside components
    /// (uploads, refusals).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub locale: crate::i18n::Locale,
    topic: StoredValue<Topic>,
    my_id: i64,
    /// What the viewer may do in a member room (`None` in instant chats);
    /// changes live when the owner or a moderator changes it.
    rights: RwSignal<Option<crate::rooms::Rights>>,
    messages: RwSignal<Vec<ChatMessage>>,
    outbox: RwSignal<Vec<Pending>>,
    /// Files being uploaded from this tab ("Uploading photo.png…").
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    uploading: RwSignal<Vec<Pending>>,
    draft: RwSignal<String>,
    error: RwSignal<Option<String>>,
    link: RwSignal<Link>,
    members: RwSignal<Vec<MemberView>>,
    online: RwSignal<BTreeSet<i64>>,
    /// Others typing now: (author id, name), in the order they started.
    typing: RwSignal<Vec<(i64, String)>>,
    /// When this tab last said "typing" (ms since the epoch; 0: it has not,
    /// or it said "stopped" since).
    typing_said_at: RwSignal<f64>,
    /// Newest line id this tab told the server it has read.
    read_up_to: RwSignal<i64>,
    /// When this tab last said what it has read (ms since the epoch).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    read_said_at: RwSignal<f64>,
    /// A pending "read" report, sent once a second at most.
    #[cfg(feature = "hydrate")]
    read_timer: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage>,
    /// Set when the topic is over for good (an instant chat ended): why.
    pub ended: RwSignal<Option<String>>,
    /// The room's name since the owner renamed it while this page was open
    /// (`None`: the name the page opened with).
    pub renamed: RwSignal<Option<String>>,
    /// Join requests waiting in the room, for its owner and moderators (the
    /// server says so when the socket subscribes, then on every change; 0
    /// for everyone else).
    pub join_requests: RwSignal<i64>,
    /// The message whose text this tab is editing, if any.
    editing: RwSignal<Option<i64>>,
    /// The message whose deletion this tab asks to confirm, if any.
    confirming_delete: RwSignal<Option<i64>>,
    /// The client id of the edit this tab sent and the server has not
    /// confirmed: the editor stays open until it is (or, refused, keeps
    /// the new text so nothing typed is lost).
    change_pending: RwSignal<Option<String>>,
    /// Sends an event over the socket; false when it is not open. Only in
    /// the browser: a thread-local value must not be made while rendering on
    /// the server, where it would be dropped on another worker thread.
    send: Option<StoredValue<Option<SendFn>, LocalStorage>>,
}

impl LiveState {
    /// State for `topic`, seen by author `my_id`, starting from `lines` and
    /// `members`. In the browser it also opens the live socket.
    pub fn new(topic: Topic, my_id: i64, lines: Vec<ChatMessage>, members: Vec<MemberView>) -> LiveState {
        let state = LiveState {
            topic: StoredValue::new(topic),
            my_id,
            locale: crate::i18n::use_locale(),
            rights: RwSignal::new(None),
            messages: RwSignal::new(lines),
            outbox: RwSignal::new(Vec::new()),
            uploading: RwSignal::new(Vec::new()),
            draft: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            link: RwSignal::new(Link::Connecting),
            members: RwSignal::new(members),
            online: RwSignal::new(BTreeSet::new()),
            typing: RwSignal::new(Vec::new()),
            typing_said_at: RwSignal::new(0.0),
            read_up_to: RwSignal::new(0),
            read_said_at: RwSignal::new(0.0),
            #[cfg(feature = "hydrate")]
            read_timer: StoredValue::new_local(None),
            ended: RwSignal::new(None),
            renamed: RwSignal::new(None),
            join_requests: RwSignal::new(0),
            editing: RwSignal::new(None),
            confirming_delete: RwSignal::new(None),
            change_pending: RwSignal::new(None),
            send: cfg!(feature = "hydrate").then(|| StoredValue::new_local(None)),
        };
        #[cfg(feature = "hydrate")]
        connect(state);
        state
    }

    /// The members the list shows now (tracked): follows joins, departures
    /// and role changes live.
    pub fn members_now(&self) -> Vec<MemberView> {
        self.members.get()
    }

    /// The viewer's author id (a user id in a member room).
    pub fn viewer(&self) -> i64 {
        self.my_id
    }

    /// What the viewer may do in a member room now (tracked; `None` in an
    /// instant chat): follows live changes, a handed-over room included.
    pub fn rights_now(&self) -> Option<crate::rooms::Rights> {
        self.rights.get()
    }

    /// True when the viewer hosts this instant chat (tracked: read from the
    /// member list's marks); false in a member room.
    pub fn is_host(&self) -> bool {
        self.members.with(|list| list.iter().any(|m| m.id == self.my_id && m.tag == Some(crate::live::AuthorTag::Host)))
    }

    /// How many members the list shows now; follows joins and departures live.
    pub fn member_count(&self) -> usize {
        self.members.with(Vec::len)
    }

    /// The same state, for a viewer with `rights` in a member room.
    pub fn with_rights(self, rights: crate::rooms::Rights) -> LiveState {
        self.rights.set(Some(rights));
        self
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
            Err(reason) => return self.error.set(Some(reason.message(self.locale))),
        };
        let pending = Pending { client_id: new_client_id(), body };
        self.error.set(None);
        self.draft.set(String::new());
        self.stopped_typing();
        self.outbox.update(|o| o.push(pending.clone()));
        self.transmit(&ClientEvent::Send { topic: self.topic(), client_id: pending.client_id, body: pending.body });
    }

    /// A keystroke changed the draft to `text` at `now_ms`: says "typing"
    /// when it has not for 3 s, or "stopped" when the draft is now empty.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn typed(&self, text: String, now_ms: f64) {
        let empty = text.trim().is_empty();
        self.draft.set(text);
        if empty {
            return self.stopped_typing();
        }
        let said = self.typing_said_at.get_untracked();
        if now_ms - said >= f64::from(crate::limits::TYPING_SEND_EVERY_MS)
            && self.transmit(&ClientEvent::Typing { topic: self.topic(), typing: true })
        {
            self.typing_said_at.set(now_ms);
        }
    }

    /// Tells the server the newest line is read, when this tab is visible
    /// (the caller knows the reader is at the newest line); at most once a
    /// second, the last report trailing.
    fn mark_read(&self) {
        #[cfg(feature = "hydrate")]
        {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            let last = self.last_id();
            if !visible || last <= self.read_up_to.get_untracked() {
                return;
            }
            let since = js_sys::Date::now() - self.read_said_at.get_untracked();
            if since >= f64::from(READ_REPORT_EVERY_MS) {
                if self.transmit(&ClientEvent::Read { topic: self.topic(), up_to: last }) {
                    self.read_up_to.set(last);
                    self.read_said_at.set(js_sys::Date::now());
                }
            } else if self.read_timer.with_value(Option::is_none) {
                let state = *self;
                let wait = READ_REPORT_EVERY_MS.saturating_sub(since as u32);
                let timer = gloo_timers::callback::Timeout::new(wait, move || {
                    state.read_timer.set_value(None);
                    state.mark_read();
                });
                self.read_timer.set_value(Some(timer));
            }
        }
    }

    /// Says "stopped typing" if this tab said it was typing.
    fn stopped_typing(&self) {
        if self.typing_said_at.get_untracked() > 0.0 {
            self.typing_said_at.set(0.0);
            self.transmit(&ClientEvent::Typing { topic: self.topic(), typing: false });
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

/// Opens the live socket for the topic and wires it to `state` (the socket
/// keeps its own heartbeat, see [`crate::live::client`]). It closes when
/// the page's reactive owner goes, or for good once the topic has ended
/// (the chat is over, the person was removed or logged out).
#[cfg(feature = "hydrate")]
fn connect(state: LiveState) {
    use crate::live::client::{LiveSocket, SocketSignal};
    let socket: StoredValue<Option<LiveSocket>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        if state.ended.get().is_some() {
            socket.set_value(None);
        }
    });
    Effect::new(move |_| {
        let live = LiveSocket::connect(move |signal| match signal {
            SocketSignal::Open { subscribed_early } => {
                let (topic, after_id) = (state.topic(), state.last_id());
                // The page's early script subscribed from the same rendered
                // timeline: its answer is on the way, or already here.
                let done = subscribed_early.is_some_and(|early| early.topic == topic.to_string() && early.after_id == after_id);
                if !done {
                    state.transmit(&ClientEvent::Subscribe { topic, after_id });
                }
            }
            SocketSignal::Event(event) => state.on_event(event),
            SocketSignal::Down { .. } => {
                state.link.set(Link::Reconnecting);
                state.online.set(BTreeSet::new());
                state.typing.set(Vec::new());
            }
        });
        socket.set_value(Some(live));
    });
    if let Some(send) = state.send {
        send.set_value(Some(Box::new(move |event: &ClientEvent| {
            socket.try_with_value(|s| s.as_ref().is_some_and(|s| s.send(event))).unwrap_or(false)
        })));
    }
}
