//! The live connections open on this node: counted, so that shutting down
//! can wait for them, and closed by the hub when the server shuts down or
//! when their session ends (a log-out in that browser).

use std::sync::{atomic::Ordering, Arc};

use tokio::sync::oneshot;

use super::Hub;

/// Why the hub closes a live connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// The server is shutting down: the tab reconnects (through the load
    /// balancer, to another node).
    ShuttingDown,
    /// The connection's session ended (its person logged out in that
    /// browser): the tab stops following everything and does not reconnect.
    LoggedOut,
}

/// A session as the live layer knows it: the SHA-256 of its id (as text),
/// so that the id itself, a bearer secret, never travels between nodes.
pub type SessionKey = [u8; 32];

/// The [`SessionKey`] of a session id.
pub fn session_key(session: &str) -> SessionKey {
    use sha2::Digest;
    sha2::Sha256::digest(session.as_bytes()).into()
}

/// How the hub reaches one open connection.
pub(super) struct Closer {
    /// The session the connection was opened with, when logged in.
    session: Option<SessionKey>,
    /// Fired once, with why the connection is to close.
    close: oneshot::Sender<Closing>,
}

impl Hub {
    /// Counts a live connection open (opened with `session`, when logged
    /// in); the guard counts it closed. Also returns what resolves when the
    /// hub closes the connection, with why.
    pub fn open_connection(self: &Arc<Self>, session: Option<&str>) -> (ConnectionGuard, oneshot::Receiver<Closing>) {
        let id = self.next_connection.fetch_add(1, Ordering::Relaxed) as u64;
        self.connections.fetch_add(1, Ordering::Relaxed);
        let (close, closing) = oneshot::channel();
        self.closers().insert(id, Closer { session: session.map(session_key), close });
        (ConnectionGuard(self.clone(), id), closing)
    }

    fn closers(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<u64, Closer>> {
        self.closers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Closes the live connections opened with `session`, at once, with
    /// [`Closing::LoggedOut`], on every node: here directly, on the others
    /// through the bus. Returns how many closed here. Called when the
    /// session ends. Should the bus miss it, connections elsewhere still
    /// notice within [`crate::limits::LIVE_SESSION_CHECK_MS`] (they read
    /// their session again on the tab's heartbeat).
    pub fn end_session(&self, session: &str) -> usize {
        let key = session_key(session);
        if let Some(bus) = self.bus.get() {
            bus.session_ended(&key);
        }
        self.end_session_here(&key)
    }

    /// Closes this node's live connections of the session `key` names; returns how many.
    pub fn end_session_here(&self, key: &SessionKey) -> usize {
        let mut closers = self.closers();
        let ids: Vec<u64> = closers.iter().filter(|(_, c)| c.session.as_ref() == Some(key)).map(|(id, _)| *id).collect();
        for id in &ids {
            if let Some(closer) = closers.remove(id) {
                let _ = closer.close.send(Closing::LoggedOut);
            }
        }
        ids.len()
    }

    /// Shuts the live layer down: every connection closes with 1001 ("going
    /// away", so clients reconnect, through the load balancer to another
    /// node), waiting up to `grace` for them; then the other nodes hear this
    /// one leave, so its people go offline there at once.
    pub async fn shut_down(&self, grace: std::time::Duration) {
        let closers: Vec<Closer> = self.closers().drain().map(|(_, closer)| closer).collect();
        let open = closers.len();
        for closer in closers {
            let _ = closer.close.send(Closing::ShuttingDown);
        }
        tracing::info!(open, "closing live connections");
        let deadline = tokio::time::Instant::now() + grace;
        while self.connections.load(Ordering::Relaxed) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        if let Some(bus) = self.bus.get() {
            bus.leave().await;
        }
    }
}

/// Counts one live connection as open until dropped (see [`Hub::open_connection`]).
pub struct ConnectionGuard(Arc<Hub>, u64);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.closers().remove(&self.1);
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}
