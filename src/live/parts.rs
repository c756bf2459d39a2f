//! What the live layer works with: this server's hub, store, memory-only
//! lines and guest keys, and the socket's settings. The composition root
//! makes one when the server starts, and every connection shares it.

use std::sync::Arc;

use super::{
    guest_identity::GuestKeys,
    hub::Hub,
    timeline::{memory::MemoryLines, Timeline},
};
use crate::store::Store;

/// This server's parts from the live layer down, and the socket's settings.
pub struct LiveParts {
    /// The fan-out hub.
    pub hub: Arc<Hub>,
    /// The database.
    pub store: Store,
    /// Lines of instant chats without history.
    pub memory: Arc<MemoryLines>,
    /// The keys that check guest cookies of instant chats.
    pub guest_keys: Arc<GuestKeys>,
    /// Lines a tab may send per second after a burst (0: no limit).
    pub lines_per_second: u32,
    /// Seconds of silence after which a connection is taken for dead.
    pub idle_timeout_secs: u32,
    /// The folder room files are saved in (`<data_dir>/uploads`), from
    /// which a deleted message's file is removed.
    pub uploads: std::path::PathBuf,
}

impl LiveParts {
    /// The timeline service over these parts.
    pub fn timeline(&self) -> Timeline<'_> {
        Timeline::new(&self.hub, &self.store, &self.memory)
    }
}
