//! The browser side of the live layer: one WebSocket per tab, kept up.
//!
//! When the connection drops, [`LiveSocket`] reports [`SocketSignal::Down`]
//! and reconnects with exponential backoff and "equal jitter" (AWS
//! Architecture Blog, "Exponential Backoff and Jitter"): the n-th retry waits
//! between half and all of `min(30 s, 0.5 s × 2ⁿ)`, so a server restart does
//! not bring every tab back in the same instant.

use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
};

use gloo_timers::callback::Timeout;
use wasm_bindgen::{prelude::Closure, JsCast};
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::{ClientEvent, ServerEvent, LIVE_PATH};

/// First retry delay, ms.
const RETRY_BASE_MS: f64 = 500.0;
/// Longest retry delay, ms.
const RETRY_CAP_MS: f64 = 30_000.0;

/// What the connection tells its owner.
#[derive(Debug, Clone)]
pub enum SocketSignal {
    /// Connected (again): time to (re)subscribe.
    Open,
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

struct Inner {
    url: String,
    on_signal: Box<dyn Fn(SocketSignal)>,
    socket: RefCell<Option<WebSocket>>,
    handlers: RefCell<Option<Handlers>>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    retry: RefCell<Option<Timeout>>,
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
        });
        open(&inner);
        LiveSocket { inner }
    }

    /// Sends an event. Returns false when the socket is not open (the caller
    /// keeps the event and sends it after [`SocketSignal::Open`]).
    pub fn send(&self, event: &ClientEvent) -> bool {
        let socket = self.inner.socket.borrow();
        match (socket.as_ref(), serde_json::to_string(event)) {
            (Some(ws), Ok(text)) if ws.ready_state() == WebSocket::OPEN => ws.send_with_str(&text).is_ok(),
            _ => false,
        }
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        self.inner.stopped.set(true);
        self.inner.retry.borrow_mut().take();
        if let Some(ws) = self.inner.socket.borrow_mut().take() {
            detach(&ws);
            let _ = ws.close_with_code(1000);
        }
        self.inner.handlers.borrow_mut().take();
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

fn open(inner: &Rc<Inner>) {
    let ws = match WebSocket::new(&inner.url) {
        Ok(ws) => ws,
        Err(_) => return schedule_retry(inner),
    };
    let weak: Weak<Inner> = Rc::downgrade(inner);
    let on_open = {
        let weak = weak.clone();
        Closure::<dyn FnMut(Event)>::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.failures.set(0);
                (inner.on_signal)(SocketSignal::Open);
            }
        })
    };
    let on_message = {
        let weak = weak.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let (Some(inner), Some(text)) = (weak.upgrade(), e.data().as_string()) else { return };
            if let Ok(event) = serde_json::from_str::<ServerEvent>(&text) {
                (inner.on_signal)(SocketSignal::Event(event));
            }
        })
    };
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_| {
        if let Some(inner) = weak.upgrade() {
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
