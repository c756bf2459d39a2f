//! Room lists that follow activity (issue 40): the home page's unread
//! badges and the dashboard's join request counts update while the page is
//! open, without a socket of their own.
//!
//! The page keeps the [`RoomsActivity`] it last saw and asks
//! [`await_room_activity`], a long poll: the server watches the hub
//! channels of every room the person is in ([`crate::live::hub::Watch`]),
//! and answers as soon as a line lands in one of them or a room's join
//! requests change, or after [`crate::limits::LONG_POLL_WAIT_SECS`]. The
//! page then reads its list again. A tab that follows a room does not count
//! as being in it, so this shows nobody online.

use leptos::prelude::*;

use super::RoomsActivity;
use crate::error::AppError;

/// The caller's [`RoomsActivity`] once it differs from what the page saw
/// (`newest_line` and `join_requests` as last answered; left out on the
/// first call, which answers at once), or as it is after
/// [`crate::limits::LONG_POLL_WAIT_SECS`] with nothing new.
///
/// Errors: [`AppError::NotLoggedIn`].
#[server(endpoint = "await_room_activity")]
pub async fn await_room_activity(newest_line: Option<i64>, join_requests: Option<i64>) -> Result<RoomsActivity, AppError> {
    use std::time::Duration;

    use crate::live::{hub::HubEventKind, Topic};
    let me = crate::accounts::ssr::require_user().await?;
    let state = crate::context::state()?;
    let seen = newest_line.zip(join_requests).map(|(newest_line, join_requests)| RoomsActivity { newest_line, join_requests });
    let rooms = state.store.rooms().ids_for_user(me.id).await?;
    // Watching from before the first read: nothing falls between the two.
    let mut watch = crate::live::hub::Watch::new(&state.hub, rooms.into_iter().map(Topic::Room).collect());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(crate::limits::LONG_POLL_WAIT_SECS);
    loop {
        let now = RoomsActivity {
            newest_line: state.store.rooms().newest_line_for(me.id).await?,
            join_requests: state.store.join_requests().pending_for_moderator(me.id, crate::clock::now_ms()).await?.iter().map(|(_, n)| n).sum(),
        };
        let moved = |kind: &HubEventKind| matches!(kind, HubEventKind::Line { .. } | HubEventKind::ForManagers);
        if seen != Some(now) || !watch.until(deadline, moved).await {
            return Ok(now);
        }
    }
}
