//! How presence changes leave a topic: as Phoenix-style diffs, a lone change
//! at once and a burst gathered over [`PRESENCE_BATCH_MS`] (see [`DiffBatch`]).

use std::sync::Arc;

use super::RoomChannel;
#[cfg(doc)]
use crate::live::presence::DiffBatch;
use crate::{
    limits::PRESENCE_BATCH_MS,
    live::{presence::Diff, ServerEvent, Topic},
};

impl RoomChannel {
    /// Tells this node's followers of `topic` that `author_id` came online
    /// (`offline_at` `None`) or went offline at `offline_at` (Unix ms), at
    /// once or with the changes of the next [`PRESENCE_BATCH_MS`] (see
    /// [`DiffBatch`]); a task sends each window's changes as it ends.
    pub(in crate::live) fn announce_presence(self: &Arc<Self>, topic: &Topic, author_id: i64, offline_at: Option<i64>) {
        let mut diffs = self.diffs();
        let Some(diff) = diffs.change(author_id, offline_at) else { return };
        self.publish_diff(topic, diff);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            diffs.close(); // nothing could send what waits: send each change at once
            return;
        };
        drop(diffs);
        let (channel, topic) = (Arc::downgrade(self), topic.clone());
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(PRESENCE_BATCH_MS)).await;
                // Gone: nobody follows the topic any more.
                let Some(channel) = channel.upgrade() else { break };
                let mut diffs = channel.diffs();
                let Some(diff) = diffs.flush() else { break };
                channel.publish_diff(&topic, diff);
            }
        });
    }

    fn publish_diff(&self, topic: &Topic, (joins, leaves): Diff) {
        self.publish(&ServerEvent::PresenceDiff { topic: topic.clone(), joins, leaves });
    }
}
