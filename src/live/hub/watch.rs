//! Watching topics from the server, for long polls that answer when
//! something happens in them: a requester's page waiting for its join
//! request's answer ([`crate::invites::await_join_request`]), and the home
//! page and dashboard waiting for new lines in the person's rooms
//! ([`crate::rooms::activity::await_room_activity`]).
//!
//! A [`Watch`] holds a receiver of each topic's hub channel, as a tab's
//! socket does, but sends nothing anywhere: it only wakes its caller, who
//! then reads what it needs from the store. With several nodes the events
//! of other nodes reach this node's channels over the bus, so a watch wakes
//! for them too.

use std::sync::Arc;

use futures::future::select_all;
use tokio::{
    sync::broadcast::{error::RecvError, Receiver},
    time::Instant,
};

use super::{Hub, HubEvent, HubEventKind, Topic};

/// Receivers of some topics' hub channels; let go of when dropped (the
/// channels of topics nobody else follows are then forgotten).
pub struct Watch {
    hub: Arc<Hub>,
    topics: Vec<Topic>,
    receivers: Vec<Receiver<Arc<HubEvent>>>,
}

impl Watch {
    /// Starts receiving the events of `topics` now: whatever is published
    /// after this wakes [`Watch::until`], so read the store after making the
    /// watch, never before (nothing then falls between the read and the wait).
    pub fn new(hub: &Arc<Hub>, topics: Vec<Topic>) -> Watch {
        let receivers = topics.iter().map(|topic| hub.subscribe(topic)).collect();
        Watch { hub: hub.clone(), topics, receivers }
    }

    /// Waits until one of the topics gets an event that `wanted` accepts
    /// (true), or until `deadline` (false). Events may have been missed
    /// when a receiver lagged: that answers true, so the caller reads again.
    pub async fn until(&mut self, deadline: Instant, wanted: impl Fn(&HubEventKind) -> bool) -> bool {
        if self.receivers.is_empty() {
            tokio::time::sleep_until(deadline).await;
            return false;
        }
        loop {
            let next = select_all(self.receivers.iter_mut().map(|r| Box::pin(r.recv())));
            match tokio::time::timeout_at(deadline, next).await {
                Err(_) => return false,
                Ok((Ok(event), _, _)) if wanted(&event.kind) => return true,
                Ok((Ok(_), _, _)) => continue,
                Ok((Err(RecvError::Lagged(_)), _, _)) => return true,
                // The hub is going away (the server stops).
                Ok((Err(RecvError::Closed), _, _)) => return false,
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.receivers.clear();
        for topic in &self.topics {
            self.hub.release(topic);
        }
    }
}
