//! The browser side of the live layer: one WebSocket per tab, kept up.
//!
//! When the connection drops, [`LiveSocket`] reports [`SocketSignal::Down`]
//! and reconnects with exponential backoff and "equal jitter" (AWS
//! Architecture Blog, "Exponential Backoff and Jitter"): the n-th retry waits
//! between half and all of `min(30 s, 0.5 s × 2ⁿ)`, so a server restart does
//! not bring every tab back in the same instant.
//!
//! A connection can die without closing: a phone that leaves Wi-Fi, a
//! laptop lid, a NAT that forgets. So the socket sends a heartbeat every
//! [`HEARTBEAT_EVERY_MS`] and expects to hear something (the server answers
//! [`ServerEvent::Pong`]) within [`HEARTBEAT_ANSWER_MS`]; silence, or the
//! browser's `offline` event, counts as a drop. The browser's `online`
//! event retries at once instead of waiting out the backoff.
//!
//! The first connection is usually started before the page's code ran, by
//! a few lines of JavaScript in the page's `<head>`
//! ([`crate::pages::EARLY_SOCKET_SCRIPT`]), which also subscribes to the
//! page's topic and keeps the server's answers: [`LiveSocket::connect`]
//! takes that socket over, tells its owner what was already sent
//! ([`SocketSignal::Open`]) and then hands on the kept frames in order,
//! before any later one. On a phone the connection's round trips and the
//! subscription's overlap the loading of the WebAssembly instead of
//! following it.

use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
};

use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::{prelude::Closure, JsCast};
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::{
    early::{self, EarlySubscription},
    ClientEvent, ServerEvent, LIVE_PATH,
};
use crate::limits::{HEARTBEAT_ANSWER_MS, HEARTBEAT_EVERY_MS};

/// First retry delay, ms.
const RETRY_BASE_MS: f64 = 500.0;
/// Longest retry delay, ms.
const RETRY_CAP_MS: f64 = 30_000.0;

/// What the connection tells its owner.
#[derive(Debug, Clone)]
pub enum SocketSignal {
    /// Connected (again): time to (re)subscribe.
    Open {
        /// The subscription the page's early script already sent on this
        /// connection, so the owner does not send it twice; `None` on every
        /// later connection. The server's answers to it follow as
        /// [`SocketSignal::Event`]s.
        subscribed_early: Option<EarlySubscription>,
    },
    /// An event from the server.
    Event(ServerEvent),
    /// The connection is down; the next try is in `retry_in_ms`.
    Down {
        /// Milliseconds until the next try.
        retry_in_ms: u32,
    },
}

struct Handlers {
    _open: Closure<dyn FnMut(Event)>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

/// The window's `offline` and `online` listeners, removed on drop.
struct NetworkWatch {
    offline: Closure<dyn FnMut(Event)>,
    online: Closure<dyn FnMut(Event)>,
}

impl NetworkWatch {
    fn listeners(&self) -> [(&'static str, &js_sys::Function); 2] {
        [("offline", self.offline.as_ref().unchecked_ref()), ("online", self.online.as_ref().unchecked_ref())]
    }
}

struct Inner {
    url: String,
    on_signal: Box<dyn Fn(SocketSignal)>,
    socket: RefCell<Option<WebSocket>>,
    handlers: RefCell<Option<Handlers>>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    retry: RefCell<Option<Timeout>>,
    /// Sends the heartbeat while the socket is open.
    heartbeat: RefCell<Option<Interval>>,
    /// Set by a heartbeat, cleared by any frame from the server: when it
    /// fires, the connection is taken for dead.
    deadline: RefCell<Option<Timeout>>,
    network: RefCell<Option<NetworkWatch>>,
    /// The owner was told [`SocketSignal::Open`] for the current socket:
    /// only then does [`LiveSocket::send`] send (an adopted early socket is
    /// open before that, and a line sent ahead of the owner's subscribe
    /// would be refused).
    told_open: Cell<bool>,
    /// Of an adopted early socket: the subscription its script sent, until
    /// the owner is told [`SocketSignal::Open`].
    subscribed_early: RefCell<Option<EarlySubscription>>,
    /// Of an adopted early socket: the server's frames its script kept,
    /// handed on after [`SocketSignal::Open`] and before any later frame.
    early_frames: RefCell<std::collections::VecDeque<String>>,
}

/// A self-healing connection to `/live`. Dropping it closes the socket.
pub struct LiveSocket {
    inner: Rc<Inner>,
}

impl LiveSocket {
    /// Connects to this page's server and keeps reconnecting until dropped.
    pub fn connect(on_signal: impl Fn(SocketSignal) + 'static) -> LiveSocket {
        let inner = Rc::new(Inner {
            url: live_url(),
            on_signal: Box::new(on_signal),
            socket: RefCell::new(None),
            handlers: RefCell::new(None),
            failures: Cell::new(0),
            stopped: Cell::new(false),
            retry: RefCell::new(None),
            heartbeat: RefCell::new(None),
            deadline: RefCell::new(None),
            network: RefCell::new(None),
            told_open: Cell::new(false),
            subscribed_early: RefCell::new(None),
            early_frames: RefCell::new(std::collections::VecDeque::new()),
        });
        watch_network(&inner);
        open(&inner);
        LiveSocket { inner }
    }

    /// Sends an event. Returns false when the socket is not open (the caller
    /// keeps the event and sends it after [`SocketSignal::Open`]).
    pub fn send(&self, event: &ClientEvent) -> bool {
        send_on(&self.inner, event)
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        self.inner.stopped.set(true);
        self.inner.retry.borrow_mut().take();
        self.inner.heartbeat.borrow_mut().take();
        self.inner.deadline.borrow_mut().take();
        if let (Some(window), Some(watch)) = (web_sys::window(), self.inner.network.borrow_mut().take()) {
            for (kind, listener) in watch.listeners() {
                let _ = window.remove_event_listener_with_callback(kind, listener);
            }
        }
        if let Some(ws) = self.inner.socket.borrow_mut().take() {
            detach(&ws);
            let _ = ws.close_with_code(1000);
        }
        self.inner.handlers.borrow_mut().take();
    }
}

/// Sends `event` on `inner`'s socket; false when it is not open.
fn send_on(inner: &Inner, event: &ClientEvent) -> bool {
    let socket = inner.socket.borrow();
    match (socket.as_ref(), serde_json::to_string(event)) {
        (Some(ws), Ok(text)) if inner.told_open.get() && ws.ready_state() == WebSocket::OPEN => ws.send_with_str(&text).is_ok(),
        _ => false,
    }
}

/// `ws(s)://<this host>/live`.
fn live_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let secure = location.as_ref().and_then(|l| l.protocol().ok()).is_some_and(|p| p == "https:");
    let host = location.and_then(|l| l.host().ok()).unwrap_or_default();
    format!("{}://{host}{LIVE_PATH}", if secure { "wss" } else { "ws" })
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

/// Reads what the early script sent and kept on its socket into `inner`;
/// called once the socket's handlers are ours, so no frame comes between.
fn adopt_early_record(inner: &Inner, record: &wasm_bindgen::JsValue) {
    let (subscribed, frames) = early::read(record);
    *inner.subscribed_early.borrow_mut() = subscribed;
    inner.early_frames.borrow_mut().extend(frames);
}

/// Hands the frames kept by the early script to the owner, oldest first.
fn hand_on_early_frames(inner: &Inner) {
    loop {
        // Not borrowed while the owner runs: it may send, which reads `inner`.
        let Some(text) = inner.early_frames.borrow_mut().pop_front() else { return };
        deliver(inner, &text);
    }
}

/// One frame from the server to the owner; frames that are not a
/// [`ServerEvent`] are skipped.
fn deliver(inner: &Inner, text: &str) {
    if let Ok(event) = serde_json::from_str::<ServerEvent>(text) {
        (inner.on_signal)(SocketSignal::Event(event));
    }
}

/// The socket is open: the backoff starts over, the heartbeat starts, the
/// owner is told, and then hears what the early script kept.
fn opened(inner: &Rc<Inner>) {
    inner.told_open.set(true);
    inner.failures.set(0);
    start_heartbeat(inner);
    let subscribed_early = inner.subscribed_early.borrow_mut().take();
    (inner.on_signal)(SocketSignal::Open { subscribed_early });
    hand_on_early_frames(inner);
}

fn open(inner: &Rc<Inner>) {
    inner.told_open.set(false);
    let early = early::take();
    let ws = match early.as_ref().map(|(ws, _)| ws.clone()).map_or_else(|| WebSocket::new(&inner.url), Ok) {
        Ok(ws) => ws,
        Err(_) => return schedule_retry(inner),
    };
    let weak: Weak<Inner> = Rc::downgrade(inner);
    if early.as_ref().is_some_and(|(ws, _)| ws.ready_state() == WebSocket::OPEN) {
        // Its `open` event is past: the owner hears it once this call has
        // returned (it may not hold the `LiveSocket` yet).
        let weak = weak.clone();
        Timeout::new(0, move || {
            if let Some(inner) = weak.upgrade() {
                if inner.socket.borrow().as_ref().is_some_and(|ws| ws.ready_state() == WebSocket::OPEN) {
                    opened(&inner);
                }
            }
        })
        .forget();
    }
    let on_open = {
        let weak = weak.clone();
        Closure::<dyn FnMut(Event)>::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                opened(&inner);
            }
        })
    };
    let on_message = {
        let weak = weak.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let (Some(inner), Some(text)) = (weak.upgrade(), e.data().as_string()) else { return };
            // The server is there: whatever was awaited is answered.
            inner.deadline.borrow_mut().take();
            if inner.told_open.get() {
                hand_on_early_frames(&inner);
                deliver(&inner, &text);
            } else {
                // An adopted socket whose `open` the owner has not heard
                // yet: this frame waits behind the kept ones.
                inner.early_frames.borrow_mut().push_back(text);
            }
        })
    };
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_| {
        if let Some(inner) = weak.upgrade() {
            stop_heartbeat(&inner);
            inner.socket.borrow_mut().take();
            if !inner.stopped.get() {
                schedule_retry(&inner);
            }
        }
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    if let Some(old) = inner.socket.borrow_mut().replace(ws) {
        detach(&old);
    }
    *inner.handlers.borrow_mut() = Some(Handlers { _open: on_open, _message: on_message, _close: on_close });
    match early {
        Some((_, record)) => adopt_early_record(inner, &record),
        None => {
            inner.subscribed_early.borrow_mut().take();
            inner.early_frames.borrow_mut().clear();
        }
    }
}

/// Sends a heartbeat every [`HEARTBEAT_EVERY_MS`], each with a deadline of
/// [`HEARTBEAT_ANSWER_MS`] for hearing from the server.
fn start_heartbeat(inner: &Rc<Inner>) {
    let weak = Rc::downgrade(inner);
    let beat = Interval::new(HEARTBEAT_EVERY_MS, move || {
        let Some(inner) = weak.upgrade() else { return };
        let sent = send_on(&inner, &ClientEvent::Ping);
        if sent && inner.deadline.borrow().is_none() {
            let weak = Rc::downgrade(&inner);
            let deadline = Timeout::new(HEARTBEAT_ANSWER_MS, move || {
                if let Some(inner) = weak.upgrade() {
                    lost(&inner);
                }
            });
            *inner.deadline.borrow_mut() = Some(deadline);
        }
    });
    *inner.heartbeat.borrow_mut() = Some(beat);
}

fn stop_heartbeat(inner: &Inner) {
    inner.told_open.set(false);
    inner.heartbeat.borrow_mut().take();
    inner.deadline.borrow_mut().take();
}

/// The connection is taken for dead (no answer in time, or the browser went
/// offline): it is dropped without waiting for a close that may never come,
/// and the next try is scheduled.
fn lost(inner: &Rc<Inner>) {
    stop_heartbeat(inner);
    let Some(ws) = inner.socket.borrow_mut().take() else { return };
    detach(&ws);
    let _ = ws.close();
    if !inner.stopped.get() {
        schedule_retry(inner);
    }
}

/// Listens for the browser's `offline` (the connection is lost) and
/// `online` (try again now, with the backoff reset) events.
fn watch_network(inner: &Rc<Inner>) {
    let Some(window) = web_sys::window() else { return };
    let weak = Rc::downgrade(inner);
    let offline = Closure::<dyn FnMut(Event)>::new(move |_| {
        if let Some(inner) = weak.upgrade() {
            lost(&inner);
        }
    });
    let weak = Rc::downgrade(inner);
    let online = Closure::<dyn FnMut(Event)>::new(move |_| {
        let Some(inner) = weak.upgrade() else { return };
        if inner.stopped.get() || inner.socket.borrow().is_some() {
            return;
        }
        inner.retry.borrow_mut().take();
        inner.failures.set(0);
        open(&inner);
    });
    let watch = NetworkWatch { offline, online };
    for (kind, listener) in watch.listeners() {
        let _ = window.add_event_listener_with_callback(kind, listener);
    }
    *inner.network.borrow_mut() = Some(watch);
}

fn schedule_retry(inner: &Rc<Inner>) {
    let failures = inner.failures.get();
    inner.failures.set(failures.saturating_add(1));
    let ceiling = (RETRY_BASE_MS * 2f64.powi(failures.min(16) as i32)).min(RETRY_CAP_MS);
    let delay = (ceiling / 2.0 + js_sys::Math::random() * ceiling / 2.0) as u32;
    (inner.on_signal)(SocketSignal::Down { retry_in_ms: delay });
    let weak = Rc::downgrade(inner);
    let timer = Timeout::new(delay, move || {
        if let Some(inner) = weak.upgrade() {
            if !inner.stopped.get() {
                open(&inner);
            }
        }
    });
    *inner.retry.borrow_mut() = Some(timer);
}
